#pragma once
// The class list: every label with its index and the current image's
// probability, and a filter proxy for the search field.
#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QStringList>
#include <QVector>

namespace gce::ui {

class ClassListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // Here and Share: "what is here?" for a region of the photo
    // (RegionResult); "–" and sorted last while there is none.
    enum Column { IndexColumn, NameColumn, ProbabilityColumn, HereColumn, ShareColumn, ColumnCount };
    // Sort role: numbers sort numerically.
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit ClassListModel(QObject* parent = nullptr);
    void setLabels(const QStringList& labels);
    // One value per label, or empty when unknown (no image yet).
    void setProbabilities(const QVector<float>& probabilities);
    const QStringList& labels() const { return m_labels; }
    // One value each per label, or empty (no region).
    void setRegionScores(const QVector<float>& here, const QVector<float>& share);
    bool hasRegionScores() const { return !m_here.isEmpty(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QStringList m_labels;
    QVector<float> m_probabilities;
    QVector<float> m_here;
    QVector<float> m_share;
};

// Case-insensitive substring match on the name, or the index when the text
// is a number ("515" shows class 515 and names containing "515").
class ClassFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ClassFilterProxy(QObject* parent = nullptr);
    void setSearchText(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_text;  // trimmed
    int m_number = -1; // the index to match when m_text is all digits
};

} // namespace gce::ui
