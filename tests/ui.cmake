# The worker thread and the main window (offscreen, untrained weights: the
# behaviour under test does not depend on trained values).
gce_add_test(tst_camworker SOURCES control/tst_camworker.cpp LIBS gce_ui TIMEOUT 300)
gce_add_test(tst_mainwindow SOURCES ui/tst_mainwindow.cpp LIBS gce_ui gce_engine TIMEOUT 300 FIXTURES custommodels)
# The window's smoothing toggles, shared scale and faithfulness scores, against the engine called directly.
gce_add_test(tst_windowcamfeatures SOURCES ui/tst_windowcamfeatures.cpp LIBS gce_ui gce_engine TIMEOUT 1200)
# View ▸ Layout: the photo's displayed area on real panes for every arrangement, and exports' grids.
gce_add_test(tst_panelayout SOURCES ui/tst_panelayout.cpp LIBS gce_ui TIMEOUT 120)
# "What is here?": regions marked on the panes, ranked on the worker (issue 17).
gce_add_test(tst_regionquery SOURCES ui/tst_regionquery.cpp LIBS gce_ui TIMEOUT 300)
# The request protocol without a window (ui/control/explorercontroller.h).
gce_add_test(tst_explorercontroller SOURCES control/tst_explorercontroller.cpp LIBS gce_ui_control TIMEOUT 300)
# A model per pane: ResNet-18, ViT-B/16 and Swin-T side by side, against gradcam-cli.
gce_add_test(tst_panemodels SOURCES ui/tst_panemodels.cpp LIBS gce_ui TIMEOUT 900 FIXTURES zoo_vit PROGRAMS gradcam-cli)
target_compile_definitions(tst_panemodels PRIVATE GCE_CLI="$<TARGET_FILE:gradcam-cli>")
