# Faithfulness scores (issue "Beyond the tutorial", part 4): deletion and
# insertion AUC, average drop and increase in confidence, and their plot.
gce_add_test(tst_faithfulness SOURCES core/tst_faithfulness.cpp LIBS gce_engine TORCH_PCH)
gce_add_test(tst_faithfulnessplot SOURCES ui/tst_faithfulnessplot.cpp LIBS gce_ui_faithfulness TIMEOUT 60)
