# Weights download and the first-run dialog, against a local HTTP server on
# 127.0.0.1 (never the internet).
gce_add_test(tst_weightsdownloader
  SOURCES tst_weightsdownloader.cpp localhttpserver.h localhttpserver.cpp
  LIBS gce_ui_weights
  TIMEOUT 60)
