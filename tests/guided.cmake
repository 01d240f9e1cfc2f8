# Guided backpropagation, Guided Grad-CAM and the smoothing options
# (issue "Beyond the tutorial", parts 2-3).
gce_add_fixture(guided make_guided_fixtures.py)
gce_add_test(tst_guidedbackprop SOURCES core/tst_guidedbackprop.cpp LIBS gce_engine FIXTURES guided TORCH_PCH)
gce_add_test(tst_smoothing SOURCES core/tst_smoothing.cpp LIBS gce_engine FIXTURES guided TORCH_PCH)
