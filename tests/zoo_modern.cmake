# Modern architectures: MobileNet V2/V3, EfficientNet B0-B3, ConvNeXt-Tiny,
# RegNet-Y-400MF against Debian's torchvision 0.14.
gce_add_fixture(zoo_modern make_zoo_modern.py)

gce_add_test(tst_zoo_modern SOURCES core/tst_zoo_modern.cpp LIBS gce_engine FIXTURES zoo_modern TIMEOUT 900 TORCH_PCH)
