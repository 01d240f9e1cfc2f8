# Vision Transformers (ViT-B/16 in full, B/32 and L/16, L/32 by keys and
# shapes, a scripted ViT) against torchvision 0.14. The fixture writes ~350 MB
# of random-init ViT-B/16 weights.
gce_add_fixture(zoo_vit make_zoo_vit.py)
gce_add_test(tst_zoo_vit SOURCES core/tst_zoo_vit.cpp LIBS gce_engine FIXTURES zoo_vit TIMEOUT 900 TORCH_PCH)
if(GCE_SANITIZE_ADDRESS)
  # ASan + UBSan (scripts/sanitize) skip logitsAndMaps, ViT-B/16's full-size
  # parity (half of the test's ~35 s): scripts/test compares it, and here
  # tst_panemodels loads the same weights file into ViT-B/16 and explains it
  # (forward, backward, a map on tokens). The rest, the scripted ViT included,
  # runs. (Set and empty: no full-size model.)
  set_property(TEST tst_zoo_vit APPEND PROPERTY ENVIRONMENT "GCE_ZOO_MODELS=")
endif()
