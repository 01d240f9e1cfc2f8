#include "ui/export/exportrenderer.h"

#include <QBuffer>
#include <QColor>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFont>
#include <QFontMetrics>
#include <QImageWriter>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>

#include "core/errors.h"
#include "core/imaging/cropoverlay.h"
#include "core/support/atomicfile.h"
#include "ui/control/heatmapimage.h"
#include "core/support/defaults.h"

namespace gce::ui {
namespace {

// Layout contract (tests/ui/tst_exportrenderer.cpp pins these numbers): geometry
// derives from the photo size only, never from font metrics, so an export has
// the same size on every machine and the text simply sits inside its slots.
constexpr int kMinFontPx = 14;
// Widths in font sizes (em). Narrow photos are padded to kMinPaneEm so that
// captions stay legible: 19 em of text fit "empty map (no positive evidence)"
// (17.2 em in DejaVu Sans). The warning (27.1 em in bold) gets two lines when
// the export is narrower than kOneLineWarningEm of text.
constexpr int kMinPaneEm = 20;
constexpr int kOneLineWarningEm = 28;
const QString kWarningFirst = QStringLiteral("untrained weights:");
const QString kWarningSecond = QStringLiteral("predictions are meaningless");

const QColor kBandColor(0x20, 0x21, 0x24);   // captions and the gaps between panes
const QColor kFooterColor(0x16, 0x17, 0x19); // a shade darker: the footer is about the whole export
const QColor kDividerColor(0x44, 0x47, 0x4d);
const QColor kTextColor(0xec, 0xec, 0xec);
const QColor kSecondaryTextColor(0xb4, 0xb8, 0xbe);
const QColor kNoteColor(0xff, 0xc1, 0x4d);    // amber: "empty map" stands out without alarming
const QColor kWarningColor(0xff, 0x3b, 0x30); // red: untrained weights

struct Layout {
    int fontPx = 0;
    int margin = 0;
    int lineStep = 0;
    int gap = 0;        // dark strip between panes
    int paneWidth = 0;  // max(photo width, kMinPaneEm font sizes)
    int photoX = 0;     // photo offset inside a (padded) pane
    int photoWidth = 0;
    int photoHeight = 0;
    int captionLines = 0;
    int captionHeight = 0;
    int warningLines = 0; // 0 (trained), 1 or 2
    int footerLines = 0;
    int footerHeight = 0;
    PaneGrid grid;      // rows x columns, filled row by row
    int width = 0;
    int height = 0;

    int cellHeight() const { return photoHeight + captionHeight; }
    int paneX(int pane) const { return paneColumn(grid, pane) * (paneWidth + gap); }
    int paneY(int pane) const { return paneRow(grid, pane) * (cellHeight() + gap); }
    int captionTop(int pane) const { return paneY(pane) + photoHeight; }
    int footerTop() const { return grid.rows * cellHeight() + (grid.rows - 1) * gap; }
};

bool isUsableMap(const CamMapData& map)
{
    return !map.isNull() && map.values.size() == static_cast<qsizetype>(map.rows) * map.cols;
}

// The engine flags maps without positive evidence; an all-zero map arriving
// without the flag (e.g. from an older worker) means the same thing.
bool hasNoEvidence(const CamMapData& map)
{
    if (!isUsableMap(map))
        return true;
    return map.empty || std::none_of(map.values.begin(), map.values.end(), [](float v) { return v > 0.f; });
}

Layout computeLayout(const ExportRequest& request)
{
    Layout l;
    l.photoWidth = request.image.width();
    l.photoHeight = request.image.height();
    // Scales with the photo's linear size: ~17 px on a 1201x400 photo, ~87 px
    // on 4000x3000, never below a size that is readable at 100 %.
    const double diagonalish = std::sqrt(static_cast<double>(l.photoWidth) * l.photoHeight);
    l.fontPx = std::max(kMinFontPx, static_cast<int>(std::lround(diagonalish / 40.0)));
    l.margin = std::max(6, l.fontPx / 2);
    l.lineStep = l.fontPx * 3 / 2;
    l.gap = l.margin;
    l.paneWidth = std::max(l.photoWidth, kMinPaneEm * l.fontPx);
    l.photoX = (l.paneWidth - l.photoWidth) / 2;

    const bool anyNoEvidence = std::any_of(request.panes.begin(), request.panes.end(),
                                           [](const PaneResult& p) { return hasNoEvidence(p.map); });
    l.captionLines = anyNoEvidence ? 3 : 2;
    l.captionHeight = 2 * l.margin + l.captionLines * l.lineStep;
    const int panes = static_cast<int>(request.panes.size());
    // A grid that cannot hold the panes (or none): one row, as before arrangements.
    l.grid = request.grid.isValid() && request.grid.rows * request.grid.cols >= panes ? request.grid
                                                                                      : PaneGrid{1, panes};
    l.width = l.grid.cols * l.paneWidth + (l.grid.cols - 1) * l.gap;

    // Wrapping is decided from geometry, not font metrics, so the size is the same everywhere.
    if (request.untrained)
        l.warningLines = l.width - 2 * l.margin >= kOneLineWarningEm * l.fontPx ? 1 : 2;
    l.footerLines = 3 + l.warningLines + (request.regionLegend.isEmpty() ? 0 : 1);
    l.footerHeight = 2 * l.margin + l.footerLines * l.lineStep;
    l.height = l.footerTop() + l.footerHeight;
    return l;
}

QFont exportFont(int pixelSize, bool bold)
{
    // A named family keeps exports identical across fontconfig defaults;
    // the style hint covers machines without DejaVu.
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setStyleHint(QFont::SansSerif, QFont::PreferAntialias);
    font.setPixelSize(pixelSize);
    font.setBold(bold);
    return font;
}

QString percentText(float probability)
{
    const double pct = 100.0 * static_cast<double>(probability);
    if (pct >= 1.0)
        return QStringLiteral("%1%").arg(pct, 0, 'f', 1);
    if (pct >= 0.01)
        return QStringLiteral("%1%").arg(pct, 0, 'f', 2);
    return QStringLiteral("<0.01%");
}

// One text line in its slot, elided to the slot width (never wrapped or clipped mid-glyph).
void drawLine(QPainter& painter, const QRect& slot, const QString& text, const QFont& font, const QColor& color,
              Qt::Alignment align = Qt::AlignLeft)
{
    painter.setFont(font);
    painter.setPen(color);
    const QString elided = QFontMetrics(font).elidedText(text, Qt::ElideRight, slot.width());
    painter.drawText(slot, static_cast<int>(align | Qt::AlignVCenter) | Qt::TextSingleLine, elided);
}

void drawCaption(QPainter& painter, const Layout& l, int pane, const PaneResult& result)
{
    const int x = l.paneX(pane) + l.margin;
    const int w = l.paneWidth - 2 * l.margin;
    const int top = l.captionTop(pane) + l.margin;
    const auto slot = [&](int line) { return QRect(x, top + line * l.lineStep, w, l.lineStep); };
    // Text never reaches into the photos, whatever the font does.
    painter.setClipRect(QRect(l.paneX(pane), l.captionTop(pane), l.paneWidth, l.captionHeight));

    const QString name = result.className.isEmpty() ? QStringLiteral("class %1").arg(result.classIndex)
                                                    : result.className;
    drawLine(painter, slot(0), name, exportFont(l.fontPx, true), kTextColor);

    QString details = QStringLiteral("#%1  \u00b7  %2  \u00b7  rank %3")
                          .arg(result.classIndex)
                          .arg(percentText(result.probability))
                          .arg(result.rank);
    if (!result.method.isEmpty() && result.method != QLatin1String(kDefaultMethod))
        details += QStringLiteral("  \u00b7  ") + result.method;
    if (result.otherModels) // panes of different models: each names its own
        details += QStringLiteral("  \u00b7  ") + result.modelName + (result.untrained ? QStringLiteral(" (untrained)") : QString());
    if (const QString smoothing = result.smoothingText(); !smoothing.isEmpty())
        details += QStringLiteral("  \u00b7  ") + smoothing;
    drawLine(painter, slot(1), details, exportFont(l.fontPx, false), kSecondaryTextColor);

    if (hasNoEvidence(result.map)) {
        const QString note = isUsableMap(result.map) ? QStringLiteral("empty map (no positive evidence)")
                                                     : QStringLiteral("no map");
        drawLine(painter, slot(2), note, exportFont(l.fontPx, false), kNoteColor);
    }
}

// "0 [color bar] own max  colormap: jet" on one footer line; on the shared
// scale the top is the raw maximum: "0 [color bar] 12.3  colormap: jet, shared raw scale".
void drawColormapLegend(QPainter& painter, const Layout& l, const QRect& slot, Colormap colormap, double sharedMax)
{
    const QFont font = exportFont(l.fontPx, false);
    const QFontMetrics metrics(font);
    QString name = QStringLiteral("colormap: %1").arg(QString::fromStdString(colormapName(colormap)));
    if (sharedMax > 0.0)
        name += QStringLiteral(", shared raw scale");
    const QString top = sharedMax > 0.0 ? QString::number(sharedMax, 'g', 3) : QStringLiteral("own max");
    const int labelGap = l.margin;
    // A few pixels of slack: elidedText measures with fractional advances and
    // elided "own max" to "own m…" in a slot of exactly its rounded width.
    const int slack = std::max(2, l.fontPx / 4);
    const int zeroWidth = metrics.horizontalAdvance(QStringLiteral("0")) + slack;
    const int oneWidth = metrics.horizontalAdvance(top) + slack;
    const int nameWidth = metrics.horizontalAdvance(name);
    const int fixed = zeroWidth + oneWidth + 4 * labelGap;
    // The bar shrinks before the name does, but keeps a usable minimum. The
    // extra margin absorbs fractional glyph advances that would elide the name.
    const int barWidth = std::clamp(slot.width() - fixed - nameWidth - l.margin, 2 * l.fontPx, 16 * l.fontPx);
    const int barHeight = std::max(4, l.fontPx * 3 / 4);
    const int barTop = slot.top() + (slot.height() - barHeight) / 2;

    int x = slot.left();
    drawLine(painter, QRect(x, slot.top(), zeroWidth, slot.height()), QStringLiteral("0"), font, kSecondaryTextColor);
    x += zeroWidth + labelGap;
    const QImage bar = toQImage(colormapBar(colormap, barWidth, barHeight));
    painter.drawImage(QPoint(x, barTop), bar);
    x += barWidth + labelGap;
    drawLine(painter, QRect(x, slot.top(), oneWidth, slot.height()), top, font, kSecondaryTextColor);
    x += oneWidth + 2 * labelGap;
    drawLine(painter, QRect(x, slot.top(), std::max(0, slot.right() + 1 - x), slot.height()), name, font,
             kTextColor);
}

void drawFooter(QPainter& painter, const Layout& l, const ExportRequest& request)
{
    const int x = l.margin;
    const int w = l.width - 2 * l.margin;
    const int top = l.footerTop() + l.margin;
    const auto slot = [&](int line) { return QRect(x, top + line * l.lineStep, w, l.lineStep); };
    const auto orUnknown = [](const QString& s) { return s.isEmpty() ? QStringLiteral("unknown") : s; };

    painter.setClipRect(QRect(0, l.footerTop(), l.width, l.footerHeight));
    painter.fillRect(QRect(0, l.footerTop(), l.width, l.footerHeight), kFooterColor);
    painter.fillRect(QRect(0, l.footerTop(), l.width, std::max(1, l.fontPx / 12)), kDividerColor);

    // The warning goes first: whoever looks at the export must not miss it.
    // Never elided away: on narrow exports it takes two lines instead.
    int line = 0;
    const QFont bold = exportFont(l.fontPx, true);
    if (l.warningLines == 1) {
        drawLine(painter, slot(line++), kWarningFirst + QLatin1Char(' ') + kWarningSecond, bold, kWarningColor);
    } else if (l.warningLines == 2) {
        drawLine(painter, slot(line++), kWarningFirst, bold, kWarningColor);
        drawLine(painter, slot(line++), kWarningSecond, bold, kWarningColor);
    }
    const QFont regular = exportFont(l.fontPx, false);
    QString modelLine =
        QStringLiteral("model: %1  \u00b7  layer: %2").arg(orUnknown(request.modelName), orUnknown(request.layerName));
    if (!request.preprocessText.isEmpty())
        modelLine += QStringLiteral("  \u00b7  preprocessing: ") + request.preprocessText;
    drawLine(painter, slot(line++), modelLine, regular, kTextColor);
    drawColormapLegend(painter, l, slot(line++), request.colormap, request.sharedMax);
    if (!request.regionLegend.isEmpty())
        drawLine(painter, slot(line++), request.regionLegend, regular, kTextColor);
    // File name only: full paths leak directory names into shared screenshots.
    drawLine(painter, slot(line++),
             QStringLiteral("source: %1").arg(orUnknown(QFileInfo(request.sourceFileName).fileName())), regular,
             kTextColor);
}

// The region on pane `pane` as the window draws it: light dashes over a dark
// line (a crosshair for a point), scaled with the export's font.
void drawRegion(QPainter& painter, const Layout& l, int pane, const QRect& region)
{
    const QPointF origin(l.paneX(pane) + l.photoX, l.paneY(pane));
    const double width = std::max(2.0, l.fontPx / 6.0);
    const QPen under(QColor(0, 0, 0, 200), 2 * width);
    QPen over(QColor(255, 255, 255), width, Qt::DashLine);
    painter.save();
    painter.setClipRect(QRectF(origin, QSizeF(l.photoWidth, l.photoHeight)));
    painter.setBrush(Qt::NoBrush);
    if (region.width() == 0 && region.height() == 0) {
        const QPointF c = origin + QPointF(region.x() + 0.5, region.y() + 0.5);
        const double arm = 1.5 * l.fontPx;
        for (const QPen& pen : {under, QPen(QColor(255, 255, 255), width)}) {
            painter.setPen(pen);
            painter.drawLine(c - QPointF(arm, 0), c + QPointF(arm, 0));
            painter.drawLine(c - QPointF(0, arm), c + QPointF(0, arm));
        }
    } else {
        const QRectF box(origin + QPointF(region.x(), region.y()), QSizeF(region.width(), region.height()));
        painter.setPen(under);
        painter.drawRect(box);
        painter.setPen(over);
        painter.drawRect(box);
    }
    painter.restore();
}

void blit(QImage& canvas, const QImage& overlay, int x, int y)
{
    // Byte copy, not QPainter::drawImage: the pane must equal the overlay exactly.
    for (int row = 0; row < overlay.height(); ++row)
        std::memcpy(canvas.scanLine(y + row) + static_cast<size_t>(x) * 3, overlay.constScanLine(row),
                    static_cast<size_t>(overlay.width()) * 3);
}

QByteArray formatForPath(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return QByteArrayLiteral("png");
    if (suffix == QLatin1String("jpg") || suffix == QLatin1String("jpeg"))
        return QByteArrayLiteral("jpeg");
    return {};
}

void setError(QString* error, const QString& message)
{
    if (error)
        *error = message;
}

} // namespace

QImage renderPaneOverlay(const QImage& image, const CamMapData& map, Colormap colormap, double alpha,
                         const QRectF& inputRect)
{
    if (image.isNull())
        return {};
    const QImage photo = image.convertToFormat(QImage::Format_RGB888);
    // Without a (consistent) map there is nothing to blend: show the photo as is.
    if (!isUsableMap(map))
        return photo;
    alpha = std::clamp(alpha, 0.0, 1.0);
    if (!inputRect.isEmpty() && inputRect != QRectF(QPointF(0, 0), QSizeF(photo.size()))) {
        const CropBox box{inputRect.x(), inputRect.y(), inputRect.width(), inputRect.height()};
        return toQImage(renderCropOverlay(toRgbMat(photo), toMat(map), box, colormap, alpha));
    }
    return toQImage(renderOverlay(toRgbMat(photo), toMat(map), colormap, alpha));
}

QImage renderExport(const ExportRequest& request)
{
    if (request.image.isNull() || request.panes.isEmpty())
        return {};
    const Layout l = computeLayout(request);

    QImage canvas(l.width, l.height, QImage::Format_RGB888);
    canvas.fill(kBandColor);
    for (int i = 0; i < request.panes.size(); ++i) {
        const QImage overlay = renderPaneOverlay(request.image, request.panes[i].map, request.colormap, request.alpha,
                                                 request.inputRect);
        blit(canvas, overlay, l.paneX(i) + l.photoX, l.paneY(i));
    }

    QPainter painter(&canvas);
    painter.setRenderHint(QPainter::TextAntialiasing, true);
    painter.setRenderHint(QPainter::Antialiasing, true);
    for (int i = 0; i < request.panes.size(); ++i) {
        drawCaption(painter, l, i, request.panes[i]);
        if (isRegion(request.region))
            drawRegion(painter, l, i, request.region);
    }
    drawFooter(painter, l, request);
    painter.end();
    return canvas;
}

bool saveImageAtomically(const QImage& image, const QString& path, bool overwrite, QString* error)
{
    if (image.isNull()) {
        setError(error, QStringLiteral("nothing to export: the image is empty"));
        return false;
    }
    const QByteArray format = formatForPath(path);
    if (format.isEmpty()) {
        setError(error, QStringLiteral("unsupported export format \"%1\" (use .png, .jpg or .jpeg)")
                            .arg(QFileInfo(path).suffix()));
        return false;
    }
    const QFileInfo target(path);
    if (target.isDir()) {
        setError(error, QStringLiteral("%1 is a directory").arg(QDir::toNativeSeparators(path)));
        return false;
    }
    if (target.exists() && !overwrite) {
        setError(error, QStringLiteral("%1 already exists").arg(QDir::toNativeSeparators(path)));
        return false;
    }

    // Encoded in memory first: a write that fails (full disk, file-size
    // limit) is then the file's error with the system's reason, not an
    // encoder failure that says "Unknown error" (and libpng, writing to a
    // device that fails, also prints its own line on stderr).
    QByteArray encoded;
    {
        QBuffer buffer(&encoded);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter writer(&buffer, format);
        if (format == "jpeg")
            writer.setQuality(95);
        if (!writer.write(image)) {
            setError(error,
                     QStringLiteral("cannot encode %1: %2").arg(QDir::toNativeSeparators(path), writer.errorString()));
            return false;
        }
    }
    // Whole or not at all (core/support/atomicfile.h, shared with the CLI):
    // a failed export never leaves a truncated file behind or damages the
    // one already there, and without `overwrite` a file created meanwhile is
    // not replaced either.
    try {
        writeFileAtomically(QFile::encodeName(path).toStdString(), encoded.constData(), std::size_t(encoded.size()),
                            overwrite ? Replace::Allowed : Replace::Refused);
    } catch (const Error& e) {
        setError(error, QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

} // namespace gce::ui
