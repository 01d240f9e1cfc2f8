// gradcam-cli: Grad-CAM from the command line (see clioptions.cpp for usage).
#include <iostream>
#include <string>
#include <vector>

#include <c10/util/Exception.h>

#include "app/cli/clioptions.h"
#include "app/cli/clirunner.h"
#include "core/errors.h"
#include "core/support/runtime.h"

namespace {
// LibTorch messages span several lines; the contract is one line on stderr.
std::string firstLine(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}
} // namespace

int main(int argc, char** argv)
{
    gce::configureRuntime(gce::runtimeSettingsFromEnvironment());
    try {
        const gce::cli::CliOptions options =
            gce::cli::parseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
        if (options.help) {
            std::cout << gce::cli::usageText();
            return 0;
        }
        if (options.version) {
            std::cout << "gradcam-cli " << GCE_VERSION << " (" << gce::runtimeDescription() << ")\n";
            return 0;
        }
        return gce::cli::runCli(options, std::cout, std::cerr);
    } catch (const gce::UsageError& error) {
        std::cerr << "gradcam-cli: " << firstLine(error.what()) << " (see --help)\n";
        return 2;
    } catch (const gce::InputError& error) {
        std::cerr << "gradcam-cli: " << firstLine(error.what()) << "\n";
        return 3;
    } catch (const c10::Error& error) {
        std::cerr << "gradcam-cli: internal error: " << firstLine(error.what_without_backtrace()) << "\n";
        return 1;
    } catch (const std::exception& error) {
        std::cerr << "gradcam-cli: internal error: " << firstLine(error.what()) << "\n";
        return 1;
    }
}
