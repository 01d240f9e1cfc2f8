#pragma once
// Answers the modal dialogs a menu action opens, as a user would: types a
// path into the file dialog's name field and accepts it, and says "Yes" when
// asked whether to replace a file. It polls, because each dialog runs its own
// event loop inside the action that opened it; answers are queued so that
// the next dialog (the overwrite question opened by accept()) runs outside
// the poll and is seen by the next poll. Needs Qt's own (non-native) dialogs:
// set Qt::AA_DontUseNativeDialogs.
#include <QApplication>
#include <QFileDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QTimer>

#include <algorithm>

namespace gce::test {

class DialogAnswerer : public QObject {
public:
    explicit DialogAnswerer(const QString& path) : m_path(path)
    {
        m_timer.setInterval(5);
        connect(&m_timer, &QTimer::timeout, this, &DialogAnswerer::poll);
        m_timer.start();
    }

    int fileDialogsAnswered() const { return m_fileDialogs; }
    int questionsAnswered() const { return m_questions; }

private:
    void poll()
    {
        QWidget* modal = QApplication::activeModalWidget();
        // Answered already: its answer is queued, or it is back on top while
        // the question it asked closes.
        if (!modal || std::any_of(m_answered.begin(), m_answered.end(), [&](const auto& w) { return w == modal; }))
            return;
        if (auto* dialog = qobject_cast<QFileDialog*>(modal)) {
            auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
            if (!name)
                return;
            name->setText(m_path); // an absolute path is taken as typed
            QMetaObject::invokeMethod(dialog, &QDialog::accept, Qt::QueuedConnection);
            m_answered << modal;
            ++m_fileDialogs;
        } else if (auto* box = qobject_cast<QMessageBox*>(modal)) {
            if (QAbstractButton* yes = box->button(QMessageBox::Yes)) {
                QMetaObject::invokeMethod(yes, &QAbstractButton::click, Qt::QueuedConnection);
                m_answered << modal;
                ++m_questions;
            }
        }
    }

    QString m_path;
    QTimer m_timer;
    QList<QPointer<QWidget>> m_answered;
    int m_fileDialogs = 0;
    int m_questions = 0;
};

} // namespace gce::test
