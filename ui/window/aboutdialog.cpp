#include "ui/window/aboutdialog.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QVBoxLayout>

#include <utility>

#include "core/support/resourcepaths.h"
#include "core/support/runtime.h"

namespace gce::ui {

namespace {

constexpr int kIconSize = 64;
constexpr int kTextWidth = 440; // wrapped paragraphs; keeps the dialog from growing sideways

QString qtVersion()
{
    // The library in use, and the headers it was built with when they differ.
    const QString running = QString::fromLatin1(qVersion());
    const QString built = QStringLiteral(QT_VERSION_STR);
    return running == built ? running : QObject::tr("%1 (built with %2)").arg(running, built);
}

QLabel* heading(const QString& text, qreal scale)
{
    auto* label = new QLabel(text);
    QFont font = label->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * scale);
    label->setFont(font);
    return label;
}

QLabel* paragraph(const QString& text)
{
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

QString AboutDialog::libraryVersions()
{
    return QStringLiteral("Qt %1, LibTorch %2, OpenCV %3")
        .arg(qtVersion(), QString::fromStdString(libtorchVersion()), QString::fromStdString(opencvVersion()));
}

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("About Grad-CAM Explorer"));

    auto* text = new QVBoxLayout;
    text->addWidget(heading(tr("Grad-CAM Explorer %1").arg(QApplication::applicationVersion()), 1.4));
    text->addWidget(paragraph(tr("Shows why a convolutional image classifier decided what it decided: "
                                 "Grad-CAM heatmaps for torchvision models, computed exactly as the "
                                 "PyTorch Grad-CAM tutorial computes them.")));

    text->addSpacing(8);
    text->addWidget(heading(tr("Libraries"), 1.0));
    auto* libraries = new QFormLayout;
    libraries->setLabelAlignment(Qt::AlignLeft);
    libraries->setFormAlignment(Qt::AlignLeft | Qt::AlignTop);
    for (const auto& [name, version] : {std::pair{QStringLiteral("Qt"), qtVersion()},
                                        std::pair{QStringLiteral("LibTorch"), QString::fromStdString(libtorchVersion())},
                                        std::pair{QStringLiteral("OpenCV"), QString::fromStdString(opencvVersion())}}) {
        auto* value = new QLabel(version);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        libraries->addRow(name, value);
    }
    text->addLayout(libraries);

    // Wrapped text stays in plain paragraphs: a form row would not grow to
    // the height its wrapped field needs.
    text->addSpacing(8);
    text->addWidget(heading(tr("Bundled data"), 1.0));
    text->addWidget(paragraph(tr("<b>ImageNet class names</b>: the 1000 labels as torchvision lists them; "
                                 "BSD-3-Clause licence.")));
    text->addWidget(paragraph(tr("<b>Demo photos</b>: “Chelsea the cat” by Stefan van der Walt and “Coffee” "
                                 "by Rachel Michetti (courtesy of Pikolo Espresso Bar), from the scikit-image "
                                 "sample data; CC0, no copyright restrictions. cat_and_coffee.jpg puts the two "
                                 "side by side, also CC0.")));
    text->addWidget(paragraph(tr("<b>Trained model</b>: SqueezeNet 1.1 on ImageNet, from the ONNX Model Zoo "
                                 "(as published in the W3C WebNN polyfill project's test data), converted to "
                                 "torchvision's layout; Apache License 2.0.")));
    const QString data = QString::fromStdString(installedDataDir());
    const QString copyright = data + QStringLiteral("/../doc/gradcam-explorer/copyright");
    if (!data.isEmpty() && QFileInfo::exists(copyright))
        text->addWidget(paragraph(tr("Licence texts: %1").arg(QFileInfo(copyright).canonicalFilePath())));

    // A fixed-width column: wrapped labels then know their width, and the
    // dialog's height follows from it.
    auto* column = new QWidget;
    column->setLayout(text);
    column->setFixedWidth(kTextWidth);
    text->setContentsMargins(0, 0, 0, 0);

    auto* body = new QHBoxLayout;
    const QIcon icon = QApplication::windowIcon();
    if (!icon.isNull()) {
        auto* iconLabel = new QLabel;
        iconLabel->setPixmap(icon.pixmap(kIconSize, kIconSize));
        iconLabel->setAlignment(Qt::AlignTop);
        body->addWidget(iconLabel, 0, Qt::AlignTop);
        body->addSpacing(12);
    }
    body->addWidget(column, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(body);
    layout->addSpacing(8);
    layout->addWidget(buttons);
    layout->setSizeConstraint(QLayout::SetFixedSize);
}

} // namespace gce::ui
