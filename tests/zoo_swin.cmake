# Swin Transformer V1/V2 against Debian's torchvision 0.14: reduced models for
# the module tree, logits, Grad-CAM maps and the untrained init; the full
# models' state_dict keys and shapes (no weights files).
gce_add_fixture(zoo_swin make_zoo_swin.py)

gce_add_test(tst_zoo_swin SOURCES core/tst_zoo_swin.cpp LIBS gce_engine FIXTURES zoo_swin TIMEOUT 900 TORCH_PCH)
