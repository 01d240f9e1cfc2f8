#pragma once
// Captions that fit their label. A pane's caption ("<b>tabby</b> (281) —
// 12.3%, rank 2 · smoothed: TTA") does not fit beside the method selector
// once 3 or 4 panes share the window; a clipped "tabby (281) — (" hides what
// matters. The pane offers shorter forms, longest first, and shows the first
// that fits; the full text stays in the tooltip.
#include <QFont>
#include <QString>
#include <QStringList>

namespace gce::ui {

// Width in pixels of rich text (as a QLabel with `font` lays it out on one line).
int richTextWidth(const QString& html, const QFont& font);

// The first of `variants` (rich text, longest first) no wider than `width`;
// when none fits, `boldName` elided to fit, in bold.
QString fitCaption(const QStringList& variants, const QString& boldName, const QFont& font, int width);

} // namespace gce::ui
