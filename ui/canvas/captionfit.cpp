#include "ui/canvas/captionfit.h"

#include <QFontMetrics>
#include <QTextDocument>

#include <cmath>

namespace gce::ui {

int richTextWidth(const QString& html, const QFont& font)
{
    QTextDocument document;
    document.setDefaultFont(font);
    document.setDocumentMargin(0);
    document.setHtml(html);
    return int(std::ceil(document.idealWidth()));
}

QString fitCaption(const QStringList& variants, const QString& boldName, const QFont& font, int width)
{
    for (const QString& variant : variants)
        if (richTextWidth(variant, font) <= width)
            return variant;
    QFont bold = font;
    bold.setBold(true);
    return QStringLiteral("<b>%1</b>")
        .arg(QFontMetrics(bold).elidedText(boldName, Qt::ElideRight, width).toHtmlEscaped());
}

} // namespace gce::ui
