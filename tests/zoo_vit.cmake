# Vision Transformers (ViT-B/16 in full, B/32 and L/16, L/32 by keys and
# shapes, a scripted ViT) against torchvision 0.14. The fixture writes ~350 MB
# of random-init ViT-B/16 weights.
gce_add_fixture(zoo_vit make_zoo_vit.py)
gce_add_test(tst_zoo_vit SOURCES core/tst_zoo_vit.cpp LIBS gce_engine FIXTURES zoo_vit TIMEOUT 900 TORCH_PCH)
