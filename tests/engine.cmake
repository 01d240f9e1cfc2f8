# Engine: models, Grad-CAM sessions, labels, CLI.
gce_add_fixture(engine make_engine_fixtures.py)

gce_add_test(tst_engineparity SOURCES core/tst_engineparity.cpp LIBS gce_engine FIXTURES engine TORCH_PCH)
# The inference form (issue 18): the fast no-grad passes against the plain modules.
gce_add_test(tst_inferenceform SOURCES core/tst_inferenceform.cpp LIBS gce_engine FIXTURES engine custommodels TORCH_PCH)
gce_add_test(tst_explanationsession SOURCES core/tst_explanationsession.cpp LIBS gce_engine TORCH_PCH)
gce_add_test(tst_batchexplanation SOURCES core/tst_batchexplanation.cpp LIBS gce_engine TORCH_PCH)
gce_add_test(tst_activationlayout SOURCES core/tst_activationlayout.cpp LIBS gce_engine TORCH_PCH)
gce_add_test(tst_labels SOURCES core/tst_labels.cpp LIBS gce_engine)
gce_add_test(tst_labelsfile SOURCES core/tst_labelsfile.cpp LIBS gce_engine)
gce_add_test(tst_cli SOURCES app/tst_cli.cpp LIBS gce_engine FIXTURES engine PROGRAMS gradcam-cli)
target_compile_definitions(tst_cli PRIVATE GCE_CLI="$<TARGET_FILE:gradcam-cli>")
# gradcam-cli --input: dataset runs, resume after SIGKILL, shards and --merge.
gce_add_test(tst_dataset SOURCES app/tst_dataset.cpp PROGRAMS gradcam-cli TIMEOUT 900)
target_compile_definitions(tst_dataset PRIVATE GCE_CLI="$<TARGET_FILE:gradcam-cli>")
# A 4-task Slurm job array on a throwaway local cluster (GNU parallel where Slurm cannot start).
# NO_ASAN: of ours it runs gradcam-cli's dataset run, --shard from Slurm's
# variables and --merge, which tst_dataset runs under ASan too; what it adds is
# Slurm itself (or GNU parallel) and 5 runs over 200 files: ~1 min of ASan for
# no code path of ours that tst_dataset leaves out.
gce_add_test(tst_slurmarray SOURCES app/tst_slurmarray.cpp PROGRAMS gradcam-cli TIMEOUT 900 NO_ASAN)
target_compile_definitions(tst_slurmarray PRIVATE GCE_CLI="$<TARGET_FILE:gradcam-cli>")
gce_add_test(tst_realweights SOURCES core/tst_realweights.cpp LIBS gce_engine TORCH_PCH)

# The CAM family (issue "Beyond the tutorial").
gce_add_fixture(methods make_method_fixtures.py)
gce_add_fixture(gradcampp make_gradcampp_fixtures.py)
gce_add_test(tst_cammethods SOURCES core/tst_cammethods.cpp LIBS gce_engine FIXTURES methods gradcampp TORCH_PCH)
# Score-CAM and Ablation-CAM run one pass per channel: on a busy 2-core
# machine a data row can outlast Qt Test's 5-minute per-function default.
set_property(TEST tst_cammethods APPEND PROPERTY ENVIRONMENT "QTEST_FUNCTION_TIMEOUT=900000")

# Models users bring: TorchScript files and fine-tuned class counts.
gce_add_fixture(custommodels make_custom_model_fixtures.py)
gce_add_test(tst_custommodels SOURCES core/tst_custommodels.cpp LIBS gce_engine FIXTURES custommodels TORCH_PCH)

# "What is here?": every class ranked in a region (issue 17).
gce_add_fixture(region make_region_fixtures.py)
gce_add_test(tst_regionranking SOURCES core/tst_regionranking.cpp LIBS gce_engine FIXTURES region TORCH_PCH)
