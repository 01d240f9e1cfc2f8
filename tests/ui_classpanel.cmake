gce_add_test(tst_classpanel SOURCES ui/tst_classpanel.cpp LIBS gce_ui_classes)
