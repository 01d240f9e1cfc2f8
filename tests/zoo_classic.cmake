# Model zoo, classic CNNs: ResNet-101/152, Wide ResNet-50-2, ResNeXt-50,
# VGG-11/13/16/19 (± BN), DenseNet-121/161/169/201, SqueezeNet 1.0, GoogLeNet
# against torchvision 0.14 (structure, logits, Grad-CAM maps, official key
# conventions). The fixture writes ~1.7 GB of random-init weights.
gce_add_fixture(zoo_classic make_zoo_classic.py)
gce_add_test(tst_zoo_classic SOURCES core/tst_zoo_classic.cpp LIBS gce_engine FIXTURES zoo_classic TIMEOUT 900 TORCH_PCH)
