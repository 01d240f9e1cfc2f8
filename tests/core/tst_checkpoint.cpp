// core/checkpoint against files written by Debian's torch / torchvision
// (tests/oracle/make_checkpoints.py): every format must give the tensors the
// manifests describe, bit for bit and in file order; broken and hostile files
// must fail with a one-line CheckpointError naming the file and the reason;
// loadStateDict must be strict and leave the model untouched on failure.
// LibTorch before Qt: Qt's `slots` macro would break LibTorch's headers.
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include "core/checkpoint/statedict.h"
#include "core/errors.h"
#include "testsupport.h"

namespace {

std::string fixture(const QString& name)
{
    return QDir(gce::test::fixturesDir(QStringLiteral("checkpoints"))).filePath(name).toStdString();
}

std::string dtypeName(c10::ScalarType dtype)
{
    switch (dtype) {
    case c10::ScalarType::Float: return "float32";
    case c10::ScalarType::Double: return "float64";
    case c10::ScalarType::Half: return "float16";
    case c10::ScalarType::BFloat16: return "bfloat16";
    case c10::ScalarType::Long: return "int64";
    case c10::ScalarType::Int: return "int32";
    case c10::ScalarType::Short: return "int16";
    case c10::ScalarType::Char: return "int8";
    case c10::ScalarType::Byte: return "uint8";
    case c10::ScalarType::Bool: return "bool";
    default: return c10::toString(dtype);
    }
}

std::vector<int64_t> toInts(const QJsonArray& array)
{
    std::vector<int64_t> values;
    for (const auto& v : array)
        values.push_back(v.toInteger());
    return values;
}

QByteArray sha256Hex(const torch::Tensor& tensor)
{
    const torch::Tensor contiguous = tensor.contiguous();
    const QByteArray bytes = QByteArray::fromRawData(static_cast<const char*>(contiguous.data_ptr()),
                                                     contiguous.numel() * contiguous.element_size());
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

// The message of the CheckpointError `read` throws (empty if none).
template <typename Function>
QString checkpointErrorOf(Function&& read)
{
    try {
        read();
    } catch (const gce::CheckpointError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// The module the loadStateDict fixtures were saved from (SmallNet in
// make_checkpoints.py).
struct SmallNetImpl : torch::nn::Module {
    SmallNetImpl()
    {
        conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)));
        bn1 = register_module("bn1", torch::nn::BatchNorm2d(4));
        fc = register_module("fc", torch::nn::Linear(4, 2));
    }
    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(SmallNet);

// Every parameter and buffer, cloned, by name.
std::map<std::string, torch::Tensor> snapshot(const torch::nn::Module& module)
{
    std::map<std::string, torch::Tensor> values;
    for (const auto& item : module.named_parameters())
        values[item.key()] = item.value().detach().clone();
    for (const auto& item : module.named_buffers())
        values[item.key()] = item.value().clone();
    return values;
}

bool sameValues(const std::map<std::string, torch::Tensor>& a, const std::map<std::string, torch::Tensor>& b)
{
    if (a.size() != b.size())
        return false;
    for (const auto& [name, tensor] : a) {
        const auto it = b.find(name);
        if (it == b.end() || !torch::equal(tensor, it->second))
            return false;
    }
    return true;
}

gce::StateDict without(gce::StateDict dict, const std::string& name)
{
    dict.entries.erase(std::remove_if(dict.entries.begin(), dict.entries.end(),
                                      [&](const auto& e) { return e.first == name; }),
                       dict.entries.end());
    return dict;
}

gce::StateDict replaced(gce::StateDict dict, const std::string& name, const torch::Tensor& tensor)
{
    for (auto& entry : dict.entries)
        if (entry.first == name)
            entry.second = tensor;
    return dict;
}

} // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!QFileInfo::exists(QString::fromStdString(fixture(QStringLiteral("resnet18.pth")))))
            QFAIL("fixtures missing: run through ctest (fixture_checkpoints writes them)");
    }

    void matchesManifest_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("checkLayout"); // strides and offsets as saved (torch formats)
        for (const char* file : {"resnet18.pth", "resnet18_legacy.pth", "resnet18_half.pth",
                                 "squeezenet1_1.pth", "squeezenet1_1_legacy.pth",
                                 "squeezenet1_1_dataparallel.pth", "squeezenet1_1_nested.pth",
                                 "squeezenet1_1_nested_legacy.pth", "small_net.pth", "small_net_half.pth",
                                 "dtypes.pth", "dtypes_legacy.pth", "dtypes_protocol4.pth", "strided.pth",
                                 "strided_legacy.pth", "parameter.pth", "crafted.pth", "legacy_view.pth",
                                 "python2_legacy.pth"})
            QTest::newRow(file) << QString::fromLatin1(file) << true;
        for (const char* file : {"resnet18.safetensors", "squeezenet1_1.safetensors", "dtypes.safetensors"})
            QTest::newRow(file) << QString::fromLatin1(file) << false;
    }

    // Names in order, dtypes, shapes and the SHA-256 of every tensor's bytes
    // as torch wrote them; torch formats also keep strides and offsets.
    void matchesManifest()
    {
        QFETCH(QString, file);
        QFETCH(bool, checkLayout);
        QFile manifestFile(QString::fromStdString(fixture(file + QStringLiteral(".json"))));
        QVERIFY(manifestFile.open(QIODevice::ReadOnly));
        const QJsonArray expected = QJsonDocument::fromJson(manifestFile.readAll()).object()["entries"].toArray();

        const gce::StateDict dict = gce::readCheckpoint(fixture(file));
        QCOMPARE(dict.entries.size(), size_t(expected.size()));
        for (qsizetype i = 0; i < expected.size(); ++i) {
            const QJsonObject want = expected[i].toObject();
            const auto& [name, tensor] = dict.entries[size_t(i)];
            QCOMPARE(QString::fromStdString(name), want["name"].toString());
            QCOMPARE(QString::fromStdString(dtypeName(tensor.scalar_type())), want["dtype"].toString());
            QCOMPARE(tensor.sizes().vec(), toInts(want["shape"].toArray()));
            if (checkLayout) {
                QCOMPARE(tensor.strides().vec(), toInts(want["stride"].toArray()));
                QCOMPARE(qint64(tensor.storage_offset()), want["offset"].toInteger());
            }
            QVERIFY2(sha256Hex(tensor) == want["sha256"].toString().toLatin1(), name.c_str());
        }
    }

    // The same weights in every format are the same tensors, in the same order.
    void formatsAgree_data()
    {
        QTest::addColumn<QString>("reference");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("prefix");
        QTest::newRow("resnet18 legacy") << "resnet18.pth" << "resnet18_legacy.pth" << "";
        QTest::newRow("resnet18 safetensors") << "resnet18.pth" << "resnet18.safetensors" << "";
        QTest::newRow("squeezenet legacy") << "squeezenet1_1.pth" << "squeezenet1_1_legacy.pth" << "";
        QTest::newRow("squeezenet safetensors") << "squeezenet1_1.pth" << "squeezenet1_1.safetensors" << "";
        QTest::newRow("squeezenet nested") << "squeezenet1_1.pth" << "squeezenet1_1_nested.pth" << "";
        QTest::newRow("squeezenet nested legacy")
            << "squeezenet1_1.pth" << "squeezenet1_1_nested_legacy.pth" << "";
        QTest::newRow("squeezenet dataparallel")
            << "squeezenet1_1.pth" << "squeezenet1_1_dataparallel.pth" << "module.";
        QTest::newRow("dtypes legacy") << "dtypes.pth" << "dtypes_legacy.pth" << "";
        QTest::newRow("dtypes protocol 4") << "dtypes.pth" << "dtypes_protocol4.pth" << "";
        QTest::newRow("dtypes safetensors") << "dtypes.pth" << "dtypes.safetensors" << "";
        QTest::newRow("strided legacy") << "strided.pth" << "strided_legacy.pth" << "";
    }

    void formatsAgree()
    {
        QFETCH(QString, reference);
        QFETCH(QString, file);
        QFETCH(QString, prefix);
        const gce::StateDict want = gce::readCheckpoint(fixture(reference));
        const gce::StateDict got = gce::readCheckpoint(fixture(file));
        QCOMPARE(got.entries.size(), want.entries.size());
        for (size_t i = 0; i < want.entries.size(); ++i) {
            QCOMPARE(got.entries[i].first, prefix.toStdString() + want.entries[i].first);
            QVERIFY(got.entries[i].second.scalar_type() == want.entries[i].second.scalar_type());
            QVERIFY2(torch::equal(got.entries[i].second, want.entries[i].second), want.entries[i].first.c_str());
        }
    }

    void halfIsRoundedReference()
    {
        const gce::StateDict full = gce::readCheckpoint(fixture(QStringLiteral("resnet18.pth")));
        const gce::StateDict half = gce::readCheckpoint(fixture(QStringLiteral("resnet18_half.pth")));
        QCOMPARE(half.entries.size(), full.entries.size());
        for (size_t i = 0; i < full.entries.size(); ++i) {
            const torch::Tensor& reference = full.entries[i].second;
            const torch::Tensor expected =
                reference.is_floating_point() ? reference.to(torch::kHalf) : reference;
            QVERIFY(torch::equal(half.entries[i].second, expected));
        }
    }

    void viewsShareStorage()
    {
        const gce::StateDict dict = gce::readCheckpoint(fixture(QStringLiteral("strided.pth")));
        const torch::Tensor* grid = dict.find("grid");
        const torch::Tensor* transposed = dict.find("transposed");
        QVERIFY(grid && transposed);
        QVERIFY(grid->data_ptr() == transposed->data_ptr());
        QVERIFY(torch::equal(*transposed, grid->t()));
    }

    void find()
    {
        const gce::StateDict dict = gce::readCheckpoint(fixture(QStringLiteral("small_net.pth")));
        QVERIFY(!dict.empty());
        const torch::Tensor* bias = dict.find("fc.bias");
        QVERIFY(bias);
        QCOMPARE(bias->sizes().vec(), std::vector<int64_t>{2});
        QVERIFY(dict.find("fc") == nullptr);
        QVERIFY(dict.find("") == nullptr);
    }

    // Real ImageNet weights, when the shared test data is there.
    void realSqueezenetWeights()
    {
        const QString path = QDir(gce::test::sharedModelsDir()).filePath(QStringLiteral("squeezenet1_1-imagenet.pth"));
        if (!QFileInfo::exists(path))
            QSKIP("../shared/models/squeezenet1_1-imagenet.pth is not available");
        const gce::StateDict dict = gce::readCheckpoint(path.toStdString());
        QCOMPARE(dict.entries.size(), size_t(52));
        QCOMPARE(dict.entries.front().first, std::string("features.0.weight"));
        QCOMPARE(dict.entries.back().first, std::string("classifier.1.bias"));
        QCOMPARE(dict.find("classifier.1.weight")->sizes().vec(), (std::vector<int64_t>{1000, 512, 1, 1}));
    }

    // Reading is dominated by I/O: one copy from the file into the tensors.
    void readSpeed()
    {
        const std::string path = fixture(QStringLiteral("resnet18.pth"));
        gce::readCheckpoint(path); // warm the page cache
        QElapsedTimer timer;
        timer.start();
        const gce::StateDict dict = gce::readCheckpoint(path);
        const qint64 ms = timer.elapsed();
        qInfo("resnet18.pth (%lld MB, %zu tensors) read in %lld ms",
              static_cast<long long>(QFileInfo(QString::fromStdString(path)).size() >> 20), dict.entries.size(),
              static_cast<long long>(ms));
        QVERIFY2(ms < 5000, "reading a 45 MB checkpoint should take well under a second");
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("reasons");
        const auto row = [](const char* file, QStringList reasons) {
            QTest::newRow(file) << QString::fromLatin1(file) << reasons;
        };
        row("does_not_exist.pth", {"does not exist"});
        row("empty.pth", {"empty"});
        row("text.pth", {"text file"});
        row("garbage.bin", {"unrecognized format"});
        row("resnet18_trunc50.pth", {"truncated or corrupted"});
        row("resnet18_trunc10.pth", {"truncated or corrupted"});
        row("squeezenet1_1_legacy_trunc.pth", {"truncated"});
        row("squeezenet1_1_trunc.safetensors", {"truncated"});
        row("truncated_pickle.pth", {"truncated"});
        row("evil_os_system.pth", {"os.system", "not an allowed global"});
        row("evil_builtins_eval.pth", {"builtins.eval", "not an allowed global"});
        row("evil_stack_global.pth", {"posix.system", "not an allowed global"});
        row("evil_in_value.pth", {"subprocess.check_output", "not an allowed global"});
        row("evil_legacy.pth", {"os.system", "not an allowed global"});
        row("pickled_module.pth", {"torch.nn.modules.linear.Linear", "not an allowed global"});
        row("reduce_storage_class.pth", {"refusing to call torch.FloatStorage"});
        row("reduce_string.pth", {"REDUCE calls a str"});
        row("evil_attribute_chain.pth", {"collections.OrderedDict.__init__.__globals__", "not an allowed global"});
        row("long_global.pth", {"GLOBAL name is too long"});
        row("bad_memo.pth", {"memo entry 99"});
        row("stack_underflow.pth", {"stack underflow"});
        row("missing_record.pth", {"data/1", "missing"});
        row("oob_view.pth", {"\"a\"", "reads element 5", "only 4"});
        row("record_size.pth", {"data/0", "16 bytes", "declares 10"});
        // Sizes and offsets from the file (make_checkpoints.py: 2^60, 2^62, 2^40, 2^47, ...).
        row("huge_storage.pth", {"storage \"0\"", "invalid size (1152921504606846976 elements)"});
        row("negative_storage.pth", {"storage \"0\"", "invalid size (-1 elements)"});
        row("huge_offset.pth", {"\"a\"", "invalid storage offset 4611686018427387904"});
        row("negative_offset.pth", {"\"a\"", "invalid storage offset -1"});
        row("huge_shape.pth", {"\"a\"", "too large [1099511627776, 1099511627776]"});
        row("negative_size.pth", {"\"a\"", "invalid shape [-1]"});
        row("huge_stride.pth", {"\"a\"", "reads element 140737488355328", "only 4"});
        row("huge_string.pth", {"truncated", "needs 4611686018427387904 more bytes"});
        row("huge_frame.pth", {"frame of 1099511627776 bytes runs past the end"});
        row("endless_pickle.pth", {"too many operations"});
        row("legacy_huge_storage.pth", {"storage \"0\"", "truncated", "4398046511104 bytes"});
        row("torchscript.pt", {"TorchScript"});
        row("not_state_dict.pth", {"no state dict found", "\"epoch\""});
        row("list_top.pth", {"holds a list"});
        row("st_bad_json.safetensors", {"not a JSON object"});
        row("st_bad_offsets.safetensors", {"\"a\"", "outside"});
        row("st_size_mismatch.safetensors", {"\"a\"", "needs 12"});
        row("st_bad_dtype.safetensors", {"unsupported dtype C64"});
        row("st_long_header.safetensors", {"truncated"});
        row("st_huge_shape.safetensors", {"\"a\"", "too large"});
        row("st_huge_offsets.safetensors", {"\"a\"", "outside"});
        row("st_negative_offsets.safetensors", {"\"a\"", "invalid data_offsets"});
    }

    void badFiles()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, reasons);
        const QString message = checkpointErrorOf([&] { gce::readCheckpoint(fixture(file)); });
        QVERIFY2(!message.isEmpty(), "no CheckpointError");
        QVERIFY2(message.contains(file), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
        for (const QString& reason : reasons)
            QVERIFY2(message.contains(reason), qPrintable(message));
    }

    void loadsIntoModule_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("float32") << "small_net.pth";
        QTest::newRow("float16 into float32") << "small_net_half.pth";
        QTest::newRow("DataParallel prefix") << "small_net_dataparallel.pth";
    }

    void loadsIntoModule()
    {
        QFETCH(QString, file);
        const gce::StateDict dict = gce::readCheckpoint(fixture(file));
        const bool prefixed = dict.entries.front().first.rfind("module.", 0) == 0;
        SmallNet net;
        gce::loadStateDict(*net, dict);
        const auto values = snapshot(*net);
        QCOMPARE(values.size(), dict.entries.size());
        for (const auto& [fileName, tensor] : dict.entries) {
            const std::string name = prefixed ? fileName.substr(7) : fileName;
            const auto it = values.find(name);
            QVERIFY2(it != values.end(), name.c_str());
            const bool counter = name.find("num_batches") != std::string::npos;
            QVERIFY(it->second.scalar_type() == (counter ? torch::kLong : torch::kFloat));
            QVERIFY2(torch::equal(it->second, tensor.to(it->second.scalar_type())), name.c_str());
        }
        QCOMPARE(net->bn1->num_batches_tracked.item<int64_t>(), int64_t(1));
    }

    void loadRejects_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing") << "missing" << "missing key \"fc.weight\"";
        QTest::newRow("unexpected") << "unexpected" << "unexpected key \"fc2.weight\"";
        QTest::newRow("shape")
            << "shape" << "shape mismatch for \"fc.weight\": file has [10, 4], model expects [2, 4]";
        QTest::newRow("duplicate") << "duplicate" << "\"fc.bias\" appears twice";
    }

    // Errors name the key, and a checkpoint that does not fit changes nothing.
    void loadRejects()
    {
        QFETCH(QString, change);
        QFETCH(QString, reason);
        gce::StateDict dict = gce::readCheckpoint(fixture(QStringLiteral("small_net.pth")));
        if (change == "missing")
            dict = without(dict, "fc.weight");
        else if (change == "unexpected")
            dict.entries.emplace_back("fc2.weight", torch::zeros({2, 4}));
        else if (change == "shape")
            dict = replaced(dict, "fc.weight", torch::zeros({10, 4}));
        else
            dict.entries.emplace_back("fc.bias", torch::zeros({2}));

        SmallNet net;
        const auto before = snapshot(*net);
        const QString message = checkpointErrorOf([&] { gce::loadStateDict(*net, dict); });
        QVERIFY2(message.contains(reason), qPrintable(message));
        QVERIFY(sameValues(before, snapshot(*net)));
    }

    // Checkpoints from before PyTorch 0.4.1 have no BatchNorm step counter;
    // like load_state_dict, that is accepted and the counter reset.
    void loadsWithoutNumBatchesTracked()
    {
        const gce::StateDict dict =
            without(gce::readCheckpoint(fixture(QStringLiteral("small_net.pth"))), "bn1.num_batches_tracked");
        SmallNet net;
        net->bn1->num_batches_tracked.fill_(5);
        gce::loadStateDict(*net, dict);
        QCOMPARE(net->bn1->num_batches_tracked.item<int64_t>(), int64_t(0));
        QVERIFY(torch::equal(net->fc->weight, *dict.find("fc.weight")));
    }
};

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "tst_checkpoint.moc"
