# Weights management: the torch hub cache search (core), and the download and
# first-run dialog against a local HTTP server on 127.0.0.1 (never the internet).
gce_add_test(tst_weightscache SOURCES core/tst_weightscache.cpp LIBS gce_engine TIMEOUT 60)
gce_add_test(tst_weightsdownloader
  SOURCES ui/tst_weightsdownloader.cpp localhttpserver.h localhttpserver.cpp
  LIBS gce_ui_weights
  TIMEOUT 60)
# A first launch with an empty HOME: the bundled model, the weights bar, its
# download from 127.0.0.1 (the checkpoints fixture's random ResNet-18).
gce_add_test(tst_firstlaunch
  SOURCES ui/tst_firstlaunch.cpp localhttpserver.h localhttpserver.cpp
  LIBS gce_ui gce_engine
  TIMEOUT 300
  FIXTURES checkpoints)
