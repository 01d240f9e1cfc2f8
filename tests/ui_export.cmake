# ui/exportrenderer: annotated full-resolution exports and atomic saving.
gce_add_test(tst_exportrenderer SOURCES ui/tst_exportrenderer.cpp LIBS gce_ui_export TIMEOUT 120)
# gradcam-explorer's command line and headless --export (app/explorer), against CamEngine called directly.
gce_add_test(tst_explorercommandline SOURCES app/tst_explorercommandline.cpp LIBS gce_explorer_app TIMEOUT 300)
