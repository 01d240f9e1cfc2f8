#include "ui/panels/classlistmodel.h"

#include <QtGlobal>

namespace gce::ui {

namespace {

// Enough decimals to tell the top classes apart without a wall of digits:
// one above 10 %, two below, and "<0.01%" rather than a misleading "0.00%".
QString formatPercent(float probability)
{
    const double percent = double(probability) * 100.0;
    if (percent > 0.0 && percent < 0.005)
        return QStringLiteral("<0.01%");
    return QString::number(percent, 'f', percent >= 10.0 ? 1 : 2) + QLatin1Char('%');
}

} // namespace

ClassListModel::ClassListModel(QObject* parent) : QAbstractTableModel(parent) {}

void ClassListModel::setLabels(const QStringList& labels)
{
    beginResetModel();
    m_labels = labels;
    // Probabilities for another label set would be attached to the wrong names.
    if (m_probabilities.size() != m_labels.size())
        m_probabilities.clear();
    endResetModel();
}

void ClassListModel::setProbabilities(const QVector<float>& probabilities)
{
    if (!probabilities.isEmpty() && probabilities.size() != m_labels.size()) {
        qWarning("ClassListModel: %lld probabilities for %lld labels; treating them as unknown",
                 static_cast<long long>(probabilities.size()),
                 static_cast<long long>(m_labels.size()));
        m_probabilities.clear();
    } else {
        m_probabilities = probabilities;
    }
    if (m_labels.isEmpty())
        return;
    // Only the probability column changes: a reset would drop the view's
    // selection and scroll position on every new image.
    emit dataChanged(index(0, ProbabilityColumn), index(rowCount() - 1, ProbabilityColumn),
                     {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
}

void ClassListModel::setRegionScores(const QVector<float>& here, const QVector<float>& share)
{
    const bool fits = here.size() == m_labels.size() && share.size() == m_labels.size();
    m_here = fits ? here : QVector<float>();
    m_share = fits ? share : QVector<float>();
    if (!m_labels.isEmpty())
        emit dataChanged(index(0, HereColumn), index(rowCount() - 1, ShareColumn),
                         {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
}

int ClassListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_labels.size());
}

int ClassListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClassListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_labels.size())
        return {};
    const int row = index.row();
    const bool known = !m_probabilities.isEmpty();
    const float probability = known ? m_probabilities.at(row) : 0.0f;

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IndexColumn: return row;
        case NameColumn: return m_labels.at(row);
        case ProbabilityColumn: return known ? formatPercent(probability) : QStringLiteral("–");
        // Raw map values: three significant digits, comparable across classes.
        case HereColumn: return m_here.isEmpty() ? QStringLiteral("–") : QString::number(double(m_here.at(row)), 'g', 3);
        case ShareColumn: return m_share.isEmpty() ? QStringLiteral("–") : formatPercent(m_share.at(row));
        }
        break;
    case SortRole:
        switch (index.column()) {
        case IndexColumn: return row;
        case NameColumn: return m_labels.at(row);
        // Unknown sorts below every real probability, including 0.
        case ProbabilityColumn: return known ? double(probability) : -1.0;
        case HereColumn: return m_here.isEmpty() ? -1.0 : double(m_here.at(row));
        case ShareColumn: return m_share.isEmpty() ? -1.0 : double(m_share.at(row));
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() != NameColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case IndexColumn:
        case NameColumn: return QStringLiteral("%1 %2").arg(row).arg(m_labels.at(row));
        case ProbabilityColumn:
            if (!known)
                return tr("No image analysed yet");
            return QStringLiteral("%1% (p = %2)")
                .arg(QString::number(double(probability) * 100.0, 'g', 9),
                     QString::number(double(probability), 'g', 9));
        case HereColumn:
            return m_here.isEmpty() ? tr("Shift+drag on the photo to rank the classes there")
                                    : tr("Mean raw Grad-CAM evidence in the region: %1")
                                          .arg(QString::number(double(m_here.at(row)), 'g', 6));
        case ShareColumn:
            return m_share.isEmpty() ? tr("Shift+drag on the photo to rank the classes there")
                                     : tr("%1% of the class's whole map lies in the region")
                                           .arg(QString::number(double(m_share.at(row)) * 100.0, 'g', 4));
        }
        break;
    }
    return {};
}

QVariant ClassListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (role) {
    case Qt::DisplayRole:
        switch (section) {
        case IndexColumn: return tr("#");
        case NameColumn: return tr("Class");
        case ProbabilityColumn: return tr("Prob.");
        case HereColumn: return tr("Here");
        case ShareColumn: return tr("Share");
        }
        break;
    case Qt::ToolTipRole:
        switch (section) {
        case IndexColumn: return tr("ImageNet class index");
        case NameColumn: return tr("Class name");
        case ProbabilityColumn: return tr("Softmax probability for the current image");
        case HereColumn:
            return tr("Evidence in the marked region: the class's raw Grad-CAM map (before its own "
                      "normalisation) averaged over the region");
        case ShareColumn: return tr("The region's part of the class's whole map");
        }
        break;
    case Qt::TextAlignmentRole:
        if (section != NameColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::InitialSortOrderRole:
        // The first click on "Prob." should show the most likely classes first.
        return section == ProbabilityColumn || section == HereColumn || section == ShareColumn ? Qt::DescendingOrder
                                                                                              : Qt::AscendingOrder;
    }
    return {};
}

ClassFilterProxy::ClassFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(ClassListModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void ClassFilterProxy::setSearchText(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    // Qt 6.4 (Debian 12) has invalidateRowsFilter() but not yet the
    // begin/endFilterChange() pair (6.9/6.10) that later replaces it.
#if QT_VERSION >= QT_VERSION_CHECK(6, 10, 0)
    beginFilterChange();
#endif
    m_text = trimmed;
    // All digits: also match that exact index ("515" finds cowboy hat).
    // ASCII only: QChar::isDigit() also accepts other scripts' digits.
    bool digits = !m_text.isEmpty() && m_text.size() <= 9;
    for (const QChar c : m_text)
        digits = digits && c >= QLatin1Char('0') && c <= QLatin1Char('9');
    m_number = digits ? m_text.toInt() : -1;
    // Only rows change: columns are never filtered.
#if QT_VERSION >= QT_VERSION_CHECK(6, 10, 0)
    endFilterChange(QSortFilterProxyModel::Direction::Rows);
#else
    invalidateRowsFilter();
#endif
}

bool ClassFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    if (sourceRow == m_number)
        return true;
    const QModelIndex name = sourceModel()->index(sourceRow, ClassListModel::NameColumn, sourceParent);
    return name.data(Qt::DisplayRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace gce::ui
