# Hostile files, rapid users, nothing lost (issue 6, parts 4-6). Offscreen
# windows with untrained SqueezeNet 1.1 (small and quick); the CLI and the
# explorer's --export run as processes with the engine fixture's random-init
# SqueezeNet weights (a real file: no "untrained" warning on stderr).
gce_add_fixture(awkward make_awkward_images.py)

gce_add_test(tst_awkwardimages SOURCES app/tst_awkwardimages.cpp LIBS gce_ui gce_engine TIMEOUT 900
             FIXTURES awkward engine PROGRAMS gradcam-cli)
target_compile_definitions(tst_awkwardimages PRIVATE GCE_CLI="$<TARGET_FILE:gradcam-cli>")

# Selected by name for the sanitizer builds: ctest -R tst_rapiduse.
gce_add_test(tst_rapiduse SOURCES ui/tst_rapiduse.cpp dialoganswerer.h LIBS gce_ui gce_engine TIMEOUT 1800)

gce_add_test(tst_nothinglost SOURCES app/tst_nothinglost.cpp dialoganswerer.h LIBS gce_ui gce_engine TIMEOUT 900
             FIXTURES engine PROGRAMS gradcam-cli gradcam-explorer)
target_compile_definitions(tst_nothinglost PRIVATE GCE_CLI="$<TARGET_FILE:gradcam-cli>"
                                                   GCE_EXPLORER="$<TARGET_FILE:gradcam-explorer>")
