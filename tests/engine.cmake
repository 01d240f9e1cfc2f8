# Engine: models, Grad-CAM sessions, labels, CLI.
gce_add_fixture(engine make_engine_fixtures.py)

gce_add_test(tst_engineparity SOURCES tst_engineparity.cpp LIBS gce_engine FIXTURES engine)
target_precompile_headers(tst_engineparity PRIVATE <torch/torch.h>)
gce_add_test(tst_explanationsession SOURCES tst_explanationsession.cpp LIBS gce_engine)
target_precompile_headers(tst_explanationsession REUSE_FROM tst_engineparity)
gce_add_test(tst_labels SOURCES tst_labels.cpp LIBS gce_engine)
gce_add_test(tst_cli SOURCES tst_cli.cpp LIBS gce_imaging FIXTURES engine)
target_compile_definitions(tst_cli PRIVATE GCE_CLI="$<TARGET_FILE:gradcam-cli>")
add_dependencies(tst_cli gradcam-cli)
gce_add_test(tst_realweights SOURCES tst_realweights.cpp LIBS gce_engine)
target_precompile_headers(tst_realweights REUSE_FROM tst_engineparity)

# The CAM family (issue "Beyond the tutorial").
gce_add_fixture(methods make_method_fixtures.py)
gce_add_test(tst_cammethods SOURCES tst_cammethods.cpp LIBS gce_engine FIXTURES methods)
target_precompile_headers(tst_cammethods REUSE_FROM tst_engineparity)
