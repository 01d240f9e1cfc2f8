# ui/layertree: the module hierarchy with output shapes and the layer chooser
# (hand-made layer lists, no model needed).
gce_add_test(tst_layertree SOURCES ui/tst_layertree.cpp LIBS gce_ui_layers)
