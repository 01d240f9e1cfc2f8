#pragma once
// The class panel: a search field over the labels, a sortable list (index,
// name, probability), the top-5 at a glance, and the current class with its
// probability and rank. Selecting a row (click, Up/Down, Enter) emits
// classActivated once per change.
#include <QVector>
#include <QWidget>

class QLabel;
class QLineEdit;
class QTableView;

namespace gce::ui {

class ClassListModel;
class ClassFilterProxy;

class ClassPanel : public QWidget {
    Q_OBJECT
public:
    explicit ClassPanel(QWidget* parent = nullptr);

    void setLabels(const QStringList& labels);
    void setProbabilities(const QVector<float>& probabilities); // empty = unknown
    // "What is here?": every class's evidence in the marked region (empty:
    // none). The Here and Share columns show while there is one, and the
    // list sorts by Here when a region's scores first arrive.
    void setRegionScores(const QVector<float>& here, const QVector<float>& share);
    bool hasRegionScores() const;
    // Shows `index` as current without emitting classActivated.
    void setCurrentClass(int index);
    int currentClass() const { return m_current; }

    QLineEdit* searchField() const { return m_search; }
    QTableView* view() const { return m_view; }

signals:
    void classActivated(int index);

private:
    // Down in the search field focuses the list; typing in the list goes to
    // the search field.
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override; // re-fits the columns to the font
    void updateSummary();
    void onCurrentRowChanged();
    void onSearchTextChanged(const QString& text);
    void activateFirstRow();
    // Mirrors m_current into the view (selection, scroll) without emitting.
    void showCurrentInView();
    void updateCurrentLabel();
    void updateTopLabel();
    void updateColumnWidths();

    ClassListModel* m_model = nullptr;
    ClassFilterProxy* m_proxy = nullptr;
    QLineEdit* m_search = nullptr;
    QTableView* m_view = nullptr;
    QLabel* m_currentLabel = nullptr;
    QLabel* m_topLabel = nullptr;
    QVector<float> m_probabilities;
    QVector<int> m_top; // up to five class indices, most probable first
    int m_current = -1;
    bool m_settingCurrent = false;
};

} // namespace gce::ui
