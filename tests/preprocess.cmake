# Preprocessing choice (issue 13): torchvision's weights.transforms() as the
# oracle (tests/oracle/make_preprocess_fixtures.py): Pillow's bicubic resize,
# resize + centre crop, input tensors, logits and maps; the real SqueezeNet
# weights' top-5 under both preprocessings; the CLI's --preprocess.
gce_add_fixture(preprocess make_preprocess_fixtures.py)
gce_add_test(tst_preprocess SOURCES core/tst_preprocess.cpp LIBS gce_engine FIXTURES preprocess TORCH_PCH
             PROGRAMS gradcam-cli)
target_compile_definitions(tst_preprocess PRIVATE GCE_CLI="$<TARGET_FILE:gradcam-cli>")
