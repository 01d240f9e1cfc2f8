#include "app/cli/decodepool.h"

#include <algorithm>

#include "core/errors.h"

namespace gce::cli {

std::string failureLine(const std::exception& e)
{
    const std::string text = e.what();
    const std::string first = text.substr(0, text.find('\n'));
    return dynamic_cast<const InputError*>(&e) ? first : "internal error: " + first;
}

DecodePool::DecodePool(std::vector<const DatasetImage*> images, const Preprocessing& preprocessing, bool keepPixels,
                       int threads, std::size_t ahead)
    : m_images(std::move(images)), m_preprocessing(preprocessing), m_keepPixels(keepPixels),
      m_ahead(std::max<std::size_t>(1, ahead))
{
    const std::size_t count = std::min<std::size_t>(std::size_t(std::max(1, threads)), m_images.size());
    for (std::size_t t = 0; t < count; ++t)
        m_threads.emplace_back([this] { work(); });
}

DecodePool::~DecodePool()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_taken.notify_all();
    for (std::thread& thread : m_threads)
        thread.join();
}

void DecodePool::work()
{
    for (;;) {
        std::size_t index = 0;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_taken.wait(lock, [&] {
                return m_stopping || m_nextToDecode >= m_images.size() || m_nextToDecode < m_nextToTake + m_ahead;
            });
            if (m_stopping || m_nextToDecode >= m_images.size())
                return;
            index = m_nextToDecode++;
        }
        Item item;
        item.image = m_images[index];
        try {
            item.prepared = prepareImage(item.image->path.string(), m_preprocessing);
            if (!m_keepPixels)
                item.prepared.rgb.release();
        } catch (const std::exception& e) {
            item.error = failureLine(e);
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_done.emplace(index, std::move(item));
        }
        m_decoded.notify_all();
    }
}

bool DecodePool::next(Item& item)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (m_nextToTake >= m_images.size())
        return false;
    m_decoded.wait(lock, [&] { return m_done.count(m_nextToTake) > 0; });
    const auto found = m_done.find(m_nextToTake);
    item = std::move(found->second);
    m_done.erase(found);
    ++m_nextToTake;
    lock.unlock();
    m_taken.notify_all();
    return true;
}

} // namespace gce::cli
