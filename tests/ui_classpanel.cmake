gce_add_test(tst_classpanel SOURCES tst_classpanel.cpp LIBS gce_ui_classes)
