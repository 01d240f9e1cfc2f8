# core/imaging: PIL-exact resize, image decoding, heatmap overlays. The
# "images" fixture writes the inputs and the Pillow / OpenCV reference outputs
# (tests/oracle/make_images.py) that these tests compare against.
gce_add_fixture(images make_images.py)

gce_add_test(tst_pilresize SOURCES core/tst_pilresize.cpp LIBS gce_imaging FIXTURES images TIMEOUT 120)
gce_add_test(tst_imageloader SOURCES core/tst_imageloader.cpp LIBS gce_imaging FIXTURES images TIMEOUT 120)
gce_add_test(tst_overlay SOURCES core/tst_overlay.cpp LIBS gce_imaging FIXTURES images TIMEOUT 120)
# core/support/atomicfile.h: whole files or nothing, for the CLI and the exports.
gce_add_test(tst_atomicfile SOURCES core/tst_atomicfile.cpp LIBS gce_files TIMEOUT 60)
