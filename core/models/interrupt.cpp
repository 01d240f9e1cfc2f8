#include "core/models/interrupt.h"

#include "core/errors.h"

namespace gce {

namespace {
thread_local InterruptScope* t_current = nullptr;
} // namespace

InterruptScope::InterruptScope(std::function<bool()> interrupted, std::string what)
    : m_interrupted(std::move(interrupted)), m_what(std::move(what)), m_previous(t_current)
{
    t_current = this;
}

InterruptScope::~InterruptScope() { t_current = m_previous; }

void InterruptScope::poll()
{
    // Called after every module of every forward pass: one thread-local load
    // when no scope is installed.
    if (t_current && t_current->m_interrupted && t_current->m_interrupted())
        throw Cancelled(t_current->m_what);
}

} // namespace gce
