# ui/exportrenderer: annotated full-resolution exports and atomic saving.
gce_add_test(tst_exportrenderer SOURCES tst_exportrenderer.cpp LIBS gce_ui_export TIMEOUT 120)
