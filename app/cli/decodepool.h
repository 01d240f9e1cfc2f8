#pragma once
// A dataset run's images decoded and preprocessed on a few threads ahead of
// the network (datasetrun.h), handed out in dataset order. At most `ahead`
// images wait decoded and not yet taken, so memory stays flat however many
// images there are, and decoding overlaps the network's forward passes.
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/cli/datasetinputs.h"
#include "app/cli/explainimage.h"

namespace gce::cli {

// One line saying why an image failed: the first line of an input error's
// message, "internal error: ..." for anything else (LibTorch or OpenCV on a
// strange image).
std::string failureLine(const std::exception& e);

class DecodePool {
public:
    struct Item {
        const DatasetImage* image = nullptr;
        PreparedImage prepared; // when `error` is empty
        std::string error;      // failureLine of why the image cannot be read
    };

    // keepPixels: keep each decoded image (overlays are drawn on it); without
    // it only the network's input is kept. threads >= 1, ahead >= 1.
    DecodePool(std::vector<const DatasetImage*> images, const Preprocessing& preprocessing, bool keepPixels,
               int threads, std::size_t ahead);
    ~DecodePool(); // stops the threads; images in flight are dropped
    DecodePool(const DecodePool&) = delete;
    DecodePool& operator=(const DecodePool&) = delete;

    // The next image in dataset order, waiting for it if need be; false once
    // every image was taken.
    bool next(Item& item);

private:
    void work();

    const std::vector<const DatasetImage*> m_images;
    const Preprocessing m_preprocessing;
    const bool m_keepPixels;
    const std::size_t m_ahead;
    std::mutex m_mutex;
    std::condition_variable m_decoded; // an image was added to m_done
    std::condition_variable m_taken;   // room to decode further ahead, or stopping
    std::size_t m_nextToDecode = 0;
    std::size_t m_nextToTake = 0;
    std::map<std::size_t, Item> m_done; // decoded, not yet taken (out of order across threads)
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace gce::cli
