# MaxViT against Debian's torchvision 0.14: a reduced-size model from
# torchvision's own class (the full maxvit_t only for its keys and shapes).
gce_add_fixture(zoo_maxvit make_zoo_maxvit.py)

gce_add_test(tst_zoo_maxvit SOURCES core/tst_zoo_maxvit.cpp LIBS gce_engine FIXTURES zoo_maxvit TIMEOUT 300 TORCH_PCH)
