# core/checkpoint: .pth (zip and legacy) and .safetensors readers, loadStateDict.
# The fixture writes torchvision state dicts in every format plus broken and
# hostile files; the test compares every tensor bit-exactly.
gce_add_fixture(checkpoints make_checkpoints.py)
gce_add_test(tst_checkpoint SOURCES core/tst_checkpoint.cpp LIBS gce_checkpoint FIXTURES checkpoints TIMEOUT 120)
