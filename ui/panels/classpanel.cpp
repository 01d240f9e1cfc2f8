#include "ui/panels/classpanel.h"

#include "ui/panels/classlistmodel.h"

#include <QCoreApplication>
#include <QEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QScopedValueRollback>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

namespace gce::ui {

namespace {

constexpr int TopCount = 5;

// Higher probability first; equal probabilities by index, as the rank does.
bool moreLikely(const QVector<float>& probabilities, int a, int b)
{
    const float pa = probabilities.at(a);
    const float pb = probabilities.at(b);
    return pa != pb ? pa > pb : a < b;
}

// Keys that mean "I am searching" rather than "I am navigating".
bool isTypingKey(const QKeyEvent* key)
{
    if (key->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))
        return false;
    if (key->key() == Qt::Key_Backspace)
        return true;
    const QString text = key->text();
    return !text.isEmpty() && text.at(0).isPrint() && key->key() != Qt::Key_Space;
}

} // namespace

ClassPanel::ClassPanel(QWidget* parent) : QWidget(parent)
{
    m_model = new ClassListModel(this);
    m_proxy = new ClassFilterProxy(this);
    m_proxy->setSourceModel(m_model);

    // Object names let tests and style sheets find the two labels.
    m_currentLabel = new QLabel(this);
    m_currentLabel->setObjectName(QStringLiteral("currentClassLabel"));
    m_currentLabel->setWordWrap(true);
    QFont bold = m_currentLabel->font();
    bold.setBold(true);
    m_currentLabel->setFont(bold);

    m_topLabel = new QLabel(this);
    m_topLabel->setObjectName(QStringLiteral("topClassesLabel"));
    m_topLabel->setTextFormat(Qt::RichText);
    m_topLabel->setWordWrap(true);

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search 1000 classes… (name or index)"));
    m_search->setClearButtonEnabled(true);
    m_search->installEventFilter(this);

    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setTabKeyNavigation(false);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    // Fixed row heights let the view skip measuring 1000 rows.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->horizontalHeader()->setSectionResizeMode(ClassListModel::IndexColumn, QHeaderView::Fixed);
    m_view->horizontalHeader()->setSectionResizeMode(ClassListModel::NameColumn, QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionResizeMode(ClassListModel::ProbabilityColumn, QHeaderView::Fixed);
    m_view->horizontalHeader()->setSectionResizeMode(ClassListModel::HereColumn, QHeaderView::Fixed);
    m_view->horizontalHeader()->setSectionResizeMode(ClassListModel::ShareColumn, QHeaderView::Fixed);
    m_view->setColumnHidden(ClassListModel::HereColumn, true); // until a region is marked
    m_view->setColumnHidden(ClassListModel::ShareColumn, true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ClassListModel::IndexColumn, Qt::AscendingOrder);
    m_view->installEventFilter(this);
    updateColumnWidths();

    // The list runs edge to edge like any dock content; the labels get a
    // small inset so their text does not touch the frame.
    const int inset = style()->pixelMetric(QStyle::PM_LayoutLeftMargin, nullptr, this) / 2;
    m_currentLabel->setContentsMargins(inset, inset, inset, 0);
    m_topLabel->setContentsMargins(inset, 0, inset, 0);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(inset);
    layout->addWidget(m_currentLabel);
    layout->addWidget(m_topLabel);
    layout->addWidget(m_search);
    layout->addWidget(m_view, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ClassPanel::onCurrentRowChanged);
    connect(m_search, &QLineEdit::textChanged, this, &ClassPanel::onSearchTextChanged);
    connect(m_search, &QLineEdit::returnPressed, this, &ClassPanel::activateFirstRow);

    showCurrentInView();
    updateSummary();
}

void ClassPanel::setLabels(const QStringList& labels)
{
    const QScopedValueRollback<bool> guard(m_settingCurrent, true);
    m_model->setLabels(labels);
    m_search->setPlaceholderText(tr("Search %1 classes… (name or index)").arg(labels.size()));
    if (m_current >= labels.size())
        m_current = -1;
    if (m_probabilities.size() != labels.size())
        m_probabilities.clear();
    m_model->setProbabilities(m_probabilities);
    showCurrentInView();
    updateSummary();
}

void ClassPanel::setProbabilities(const QVector<float>& probabilities)
{
    const QScopedValueRollback<bool> guard(m_settingCurrent, true);
    const bool wasKnown = !m_probabilities.isEmpty();
    m_model->setProbabilities(probabilities); // warns about a size mismatch
    m_probabilities = probabilities.size() == m_model->labels().size() ? probabilities : QVector<float>();

    // Follow the default sort when probabilities appear or disappear; a sort
    // the user picked between two images is kept.
    const bool known = !m_probabilities.isEmpty();
    const int sortColumn = m_view->horizontalHeader()->sortIndicatorSection();
    if (known && !wasKnown)
        m_view->sortByColumn(ClassListModel::ProbabilityColumn, Qt::DescendingOrder);
    else if (!known && sortColumn == ClassListModel::ProbabilityColumn)
        m_view->sortByColumn(ClassListModel::IndexColumn, Qt::AscendingOrder);

    showCurrentInView();
    updateSummary();
}

void ClassPanel::setRegionScores(const QVector<float>& here, const QVector<float>& share)
{
    const QScopedValueRollback<bool> guard(m_settingCurrent, true);
    const bool had = m_model->hasRegionScores();
    m_model->setRegionScores(here, share);
    const bool has = m_model->hasRegionScores();
    m_view->setColumnHidden(ClassListModel::HereColumn, !has);
    m_view->setColumnHidden(ClassListModel::ShareColumn, !has);
    // The first region sorts by Here (what the spot is evidence for); a sort
    // the user picks afterwards is kept for further regions.
    const int sortColumn = m_view->horizontalHeader()->sortIndicatorSection();
    if (has && !had)
        m_view->sortByColumn(ClassListModel::HereColumn, Qt::DescendingOrder);
    else if (!has && (sortColumn == ClassListModel::HereColumn || sortColumn == ClassListModel::ShareColumn))
        m_view->sortByColumn(m_probabilities.isEmpty() ? ClassListModel::IndexColumn
                                                       : ClassListModel::ProbabilityColumn,
                             m_probabilities.isEmpty() ? Qt::AscendingOrder : Qt::DescendingOrder);
    showCurrentInView();
}

bool ClassPanel::hasRegionScores() const { return m_model->hasRegionScores(); }

void ClassPanel::setCurrentClass(int index)
{
    const QScopedValueRollback<bool> guard(m_settingCurrent, true);
    m_current = index >= 0 && index < m_model->rowCount() ? index : -1;
    showCurrentInView();
    updateCurrentLabel();
    updateTopLabel();
}

void ClassPanel::showCurrentInView()
{
    const QModelIndex proxyIndex =
        m_current >= 0 ? m_proxy->mapFromSource(m_model->index(m_current, ClassListModel::IndexColumn))
                       : QModelIndex();
    // Also with an invalid index: once the view has had a current index set
    // it no longer picks the first row by itself when it gets focus.
    m_view->setCurrentIndex(proxyIndex);
    if (proxyIndex.isValid())
        m_view->scrollTo(proxyIndex);
}

void ClassPanel::onCurrentRowChanged()
{
    if (m_settingCurrent)
        return;
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid())
        return;
    const int index = m_proxy->mapToSource(current).row();
    if (index == m_current)
        return;
    m_current = index;
    updateCurrentLabel();
    updateTopLabel();
    emit classActivated(index);
}

void ClassPanel::onSearchTextChanged(const QString& text)
{
    // Filtering removes rows under the view's current index, and the
    // selection model then moves it to a neighbour: not a user choice.
    const QScopedValueRollback<bool> guard(m_settingCurrent, true);
    m_proxy->setSearchText(text);
    showCurrentInView();
}

void ClassPanel::activateFirstRow()
{
    const QModelIndex first = m_proxy->index(0, ClassListModel::IndexColumn);
    if (!first.isValid())
        return;
    m_view->setFocus(Qt::OtherFocusReason);
    m_view->setCurrentIndex(first); // emits through onCurrentRowChanged
    m_view->scrollTo(first);
}

bool ClassPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (watched == m_search && key->key() == Qt::Key_Down && key->modifiers() == Qt::NoModifier) {
            m_view->setFocus(Qt::TabFocusReason);
            return true;
        }
        // Typing while the list has focus refines the search instead of the
        // view's own jump-to-prefix, which would silently change the class.
        if (watched == m_view && isTypingKey(key)) {
            m_search->setFocus(Qt::OtherFocusReason);
            QCoreApplication::sendEvent(m_search, event);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ClassPanel::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
        updateColumnWidths();
}

void ClassPanel::updateColumnWidths()
{
    // Sized from the widest possible text instead of ResizeToContents, which
    // would measure all 1000 rows on every layout.
    const QFontMetrics metrics = m_view->fontMetrics();
    const int padding = 2 * (m_view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_view) + 1) + 8;
    QHeaderView* header = m_view->horizontalHeader();
    const auto fit = [&](int column, const QString& widest) {
        const int width = std::max(metrics.horizontalAdvance(widest) + padding, header->sectionSizeHint(column));
        header->resizeSection(column, width);
    };
    fit(ClassListModel::IndexColumn, QStringLiteral("999"));
    fit(ClassListModel::ProbabilityColumn, QStringLiteral("100.0%"));
    fit(ClassListModel::HereColumn, QStringLiteral("0.000123"));
    fit(ClassListModel::ShareColumn, QStringLiteral("100.0%"));
    m_view->verticalHeader()->setMinimumSectionSize(metrics.height() + 2);
    m_view->verticalHeader()->setDefaultSectionSize(metrics.height() + 6);
}

void ClassPanel::updateSummary()
{
    m_top.clear();
    if (!m_probabilities.isEmpty()) {
        QVector<int> order(m_probabilities.size());
        std::iota(order.begin(), order.end(), 0);
        const auto middle = order.begin() + std::min<qsizetype>(TopCount, order.size());
        std::partial_sort(order.begin(), middle, order.end(),
                          [this](int a, int b) { return moreLikely(m_probabilities, a, b); });
        m_top = QVector<int>(order.begin(), middle);
    }
    updateCurrentLabel();
    updateTopLabel();
}

void ClassPanel::updateCurrentLabel()
{
    if (m_current < 0) {
        m_currentLabel->setText(tr("No class selected"));
        return;
    }
    const QString name = m_model->labels().at(m_current);
    if (m_probabilities.isEmpty()) {
        m_currentLabel->setText(tr("%1 (%2)").arg(name, QString::number(m_current)));
        return;
    }
    // Rank 1 is the most likely class; ties are broken by index.
    int rank = 1;
    for (int i = 0; i < m_probabilities.size(); ++i)
        rank += moreLikely(m_probabilities, i, m_current) ? 1 : 0;
    const QString percent =
        m_model->index(m_current, ClassListModel::ProbabilityColumn).data(Qt::DisplayRole).toString();
    m_currentLabel->setText(tr("%1 (%2) — %3, rank %4 of %5")
                                .arg(name, QString::number(m_current), percent, QString::number(rank),
                                     QString::number(m_probabilities.size())));
}

void ClassPanel::updateTopLabel()
{
    if (m_top.isEmpty()) {
        m_topLabel->setText(tr("Top 5: <i>no image analysed yet</i>"));
        return;
    }
    // Non-breaking spaces inside an entry so the label wraps between entries.
    const QChar nbsp(0x00A0);
    QStringList entries;
    for (const int index : std::as_const(m_top)) {
        const QString percent =
            m_model->index(index, ClassListModel::ProbabilityColumn).data(Qt::DisplayRole).toString();
        QString entry = QStringLiteral("%1 %2 %3")
                            .arg(QString::number(index), m_model->labels().at(index).toHtmlEscaped(), percent)
                            .replace(QLatin1Char(' '), nbsp);
        if (index == m_current)
            entry = QStringLiteral("<b>%1</b>").arg(entry);
        entries.append(entry);
    }
    m_topLabel->setText(tr("Top %1: ").arg(m_top.size()) + entries.join(QStringLiteral(" · ")));
}

} // namespace gce::ui
