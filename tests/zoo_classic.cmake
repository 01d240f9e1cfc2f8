# Model zoo, classic CNNs: ResNet-101/152, Wide ResNet-50-2, ResNeXt-50,
# VGG-11/13/16/19 (± BN), DenseNet-121/161/169/201, SqueezeNet 1.0, GoogLeNet
# against torchvision 0.14 (structure, logits, Grad-CAM maps, official key
# conventions). The fixture writes ~1.7 GB of random-init weights.
gce_add_fixture(zoo_classic make_zoo_classic.py)
gce_add_test(tst_zoo_classic SOURCES core/tst_zoo_classic.cpp LIBS gce_engine FIXTURES zoo_classic TIMEOUT 900 TORCH_PCH)
if(GCE_SANITIZE_ADDRESS)
  # ASan + UBSan (scripts/sanitize) compare one model per architecture file:
  # resnet.cpp's bottleneck with groups and width (ResNeXt-50; ResNet-101/152
  # and Wide ResNet are the same code with other numbers), vgg.cpp with and
  # without BatchNorm, densenet.cpp with the old checkpoint keys, squeezenet.cpp's
  # 1.0 and googlenet.cpp. Every size is compared by scripts/test; here the
  # other twelve took three quarters of the test's ~60 s.
  set_property(TEST tst_zoo_classic APPEND PROPERTY ENVIRONMENT
    "GCE_ZOO_MODELS=resnext50_32x4d,vgg11,vgg11_bn,densenet121,squeezenet1_0,googlenet")
endif()
