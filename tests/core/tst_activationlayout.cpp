// How layer outputs are read as maps (core/models/activationlayout.h): which
// shapes are tokens, channels-last or ordinary maps for a given input size,
// and that the round trip map -> layer layout is exact, extra tokens kept.
#include <QtTest>

#include <torch/torch.h>

#include "core/models/activationlayout.h"

using gce::ActivationLayout;
using Kind = gce::ActivationLayout::Kind;

class TestActivationLayout : public QObject {
    Q_OBJECT
private slots:
    void inferred_data()
    {
        QTest::addColumn<std::vector<int64_t>>("shape");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("extra");
        QTest::addColumn<QString>("described");
        const auto row = [](const char* name, std::vector<int64_t> shape, int h, int w, Kind kind, int extra,
                            const char* described) {
            QTest::newRow(name) << shape << h << w << int(kind) << extra << QString::fromUtf8(described);
        };
        row("vit_b_16", {1, 197, 768}, 224, 224, Kind::Tokens, 1, "tokens 14×14×768");
        row("vit_b_32", {1, 50, 768}, 224, 224, Kind::Tokens, 1, "tokens 7×7×768");
        row("deit distilled", {1, 198, 384}, 224, 224, Kind::Tokens, 2, "tokens 14×14×384");
        row("no class token", {1, 36, 64}, 96, 96, Kind::Tokens, 0, "tokens 6×6×64");
        row("vit at 384", {1, 577, 768}, 384, 384, Kind::Tokens, 1, "tokens 24×24×768");
        row("swin stage", {1, 7, 7, 768}, 224, 224, Kind::ChannelsLast, 0, "channels-last 7×7×768");
        row("swin non-square", {1, 26, 34, 32}, 104, 136, Kind::ChannelsLast, 0, "channels-last 26×34×32");
        row("resnet map", {1, 512, 7, 7}, 224, 224, Kind::Map, 0, "");
        row("pooled map", {1, 512, 1, 1}, 128, 96, Kind::Map, 0, "");
        row("padded conv map", {1, 64, 113, 113}, 225, 225, Kind::Map, 0, "");
        row("logits", {1, 1000}, 224, 224, Kind::None, 0, "");
        row("no grid", {1, 7, 768}, 224, 224, Kind::None, 0, "");
        row("one token is no grid", {1, 2, 768}, 224, 224, Kind::None, 0, "");
    }
    void inferred()
    {
        QFETCH(std::vector<int64_t>, shape);
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, kind);
        QFETCH(int, extra);
        QFETCH(QString, described);
        const ActivationLayout layout = ActivationLayout::infer(shape, height, width);
        QCOMPARE(int(layout.kind), kind);
        QCOMPARE(layout.explainable(), Kind(kind) != Kind::None);
        if (layout.kind == Kind::Tokens)
            QCOMPARE(int(layout.extraTokens), extra);
        QCOMPARE(QString::fromStdString(layout.describe(shape)), described);
    }

    // Tokens -> map -> tokens gives back the same values; the map's channel c
    // at (row, col) is patch token 1 + row·w + col's feature c.
    void tokensRoundTrip()
    {
        const torch::Tensor tokens = torch::randn({2, 1 + 6 * 4, 5});
        const ActivationLayout layout = ActivationLayout::infer(tokens.sizes().vec(), 96, 64);
        QCOMPARE(int(layout.kind), int(Kind::Tokens));
        const torch::Tensor map = layout.toMap(tokens);
        QCOMPARE(map.sizes().vec(), (std::vector<int64_t>{2, 5, 6, 4}));
        QCOMPARE(map[1][3][2][1].item<float>(), tokens[1][1 + 2 * 4 + 1][3].item<float>());
        QVERIFY(torch::equal(layout.fromMap(map, tokens), tokens));
        // A batch of replacement maps keeps the layer's class token (batch 1 here).
        const torch::Tensor one = tokens.slice(0, 0, 1);
        const torch::Tensor replaced = layout.fromMap(torch::zeros({3, 5, 6, 4}), one);
        QCOMPARE(replaced.sizes().vec(), (std::vector<int64_t>{3, 25, 5}));
        QVERIFY(torch::equal(replaced.select(1, 0), one.select(1, 0).expand({3, 5})));
        QCOMPARE(replaced.slice(1, 1).abs().sum().item<float>(), 0.f);
    }

    void channelsLastRoundTrip()
    {
        const torch::Tensor output = torch::randn({1, 7, 9, 16});
        const ActivationLayout layout = ActivationLayout::infer(output.sizes().vec(), 28, 36);
        QCOMPARE(int(layout.kind), int(Kind::ChannelsLast));
        const torch::Tensor map = layout.toMap(output);
        QCOMPARE(map.sizes().vec(), (std::vector<int64_t>{1, 16, 7, 9}));
        const torch::Tensor back = layout.fromMap(map, output);
        QVERIFY(back.is_contiguous());
        QVERIFY(torch::equal(back, output));
    }
};

QTEST_GUILESS_MAIN(TestActivationLayout)
#include "tst_activationlayout.moc"
