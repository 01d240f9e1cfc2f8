// TSan build only (tests/sanitizer.cmake): compiled into every test program
// and into gradcam-cli / gradcam-explorer, which the tests start. OpenCV's
// cv::parallel_for_ (our PIL resize, color conversion inside cv::imdecode)
// runs its body on oneTBB's worker threads, which take the work over inside
// libtbb; TSan does not see that hand-over and reports every variable the
// body reads. Debian's OpenCV ignores OPENCV_FOR_THREADS_NUM with its TBB
// backend; one thread makes parallel_for_ run the body on the calling thread.
#include <opencv2/core/utility.hpp>

namespace {
const bool g_serialOpenCv = [] {
    cv::setNumThreads(1);
    return true;
}();
} // namespace
