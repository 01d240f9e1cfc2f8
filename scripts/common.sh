# Shared by the scripts in scripts/ (sourced, not run).
# Installs the Debian 12 packages the project needs when missing, then
# configures (a preset of CMakePresets.json) and builds into build/
# (GCE_BUILD overrides the folder, GCE_JOBS the parallel jobs).
set -euo pipefail

GCE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GCE_BUILD="${GCE_BUILD:-$GCE_ROOT/build}"

# Build and run time.
GCE_PACKAGES=(g++ cmake ninja-build pkg-config ccache
  libtorch-dev libopencv-dev qt6-base-dev qt6-qpa-plugins nlohmann-json3-dev libbenchmark-dev)
# The test oracle (Debian's PyTorch, torchvision, Pillow, OpenCV) and GUI screenshots.
GCE_TEST_PACKAGES=(python3 python3-torch python3-torchvision python3-pil python3-opencv python3-numpy
  slurm-wlm munge parallel
  xvfb xauth imagemagick fonts-dejavu-core)
# libFuzzer targets (scripts/fuzz): clang (14 on Debian 12) and its runtime libraries.
GCE_FUZZ_PACKAGES=(clang libclang-rt-14-dev)

gce_install_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# gce_configure PRESET [cmake args...]: configures with a preset of
# CMakePresets.json (Ninja, Release, ccache; see there for each build's
# options). The args come after the preset and override it: -B dir for the
# build folder, -D for a cache variable. Without ccache on PATH the launcher
# is cleared, so a machine without it still builds.
gce_configure() {
  local preset=$1
  shift
  local launcher=()
  command -v ccache >/dev/null || launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=)
  cmake -S "$GCE_ROOT" --preset "$preset" "${launcher[@]}" "$@"
}

gce_build() {
  gce_configure default -B "$GCE_BUILD" "$@"
  # Two jobs: LibTorch translation units need ~1.5 GB each.
  cmake --build "$GCE_BUILD" -j "${GCE_JOBS:-$(nproc)}"
}
