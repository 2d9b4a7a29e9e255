/// The files of an export that are the same for every export: the TRL script and the DeepSpeed configuration.
enum ExportScripts {
    static let trainSFT = #"""
        #!/usr/bin/env python3
        """Trains the LoRA adapter of a Quill export (quill retrain --export) with TRL's SFTTrainer.

        The data is Quill's own: each record's prompt is the daemon's prompt, already rendered through the model's
        chat template, and the loss is on the completion (and the end-of-sequence token) only. The LoRA shape and
        the optimisation are those `quill retrain` would use (lora_config.json, sft_config.json). The adapter goes
        to --out (PEFT's adapter_config.json + adapter_model.safetensors, with quill-export.json beside them);
        `quill adapter import OUT` puts it through the gate.

        One GPU (or the CPU):    python3 train_sft.py --model BASE_MODEL_FOLDER
        Several GPUs, ZeRO-3:    accelerate launch --use_deepspeed --deepspeed_config_file ds_zero3.json \
                                     train_sft.py --model BASE_MODEL_FOLDER --deepspeed ds_zero3.json --bf16
        Needs: torch, transformers, peft, trl, datasets (and deepspeed for --deepspeed).
        """
        import argparse
        import json
        import os
        import shutil
        import time

        import peft
        import torch
        import transformers
        import trl
        from datasets import load_dataset
        from peft import LoraConfig
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from trl import SFTConfig, SFTTrainer

        here = os.path.dirname(os.path.abspath(__file__))
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--model", help="the base model as a Hugging Face folder (default: the one the export names)")
        parser.add_argument("--out", default=os.path.join(here, "adapter"), help="where the adapter is written")
        parser.add_argument("--deepspeed", help="a DeepSpeed configuration such as ds_zero3.json")
        parser.add_argument("--bf16", action="store_true", help="train in bfloat16 (the export's numbers assume float32)")
        args = parser.parse_args()

        def read(name):
            with open(os.path.join(here, name)) as f:
                return json.load(f)

        manifest = read("quill-export.json")
        model_path = args.model or manifest["base_model"]
        tokenizer = AutoTokenizer.from_pretrained(model_path)
        model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.bfloat16 if args.bf16 else torch.float32)
        files = {"train": os.path.join(here, "train.jsonl"), "holdout": os.path.join(here, "holdout.jsonl")}
        data = load_dataset("json", data_files=files).remove_columns(["review"])
        config = SFTConfig(output_dir=os.path.join(args.out, "checkpoints"), deepspeed=args.deepspeed, bf16=args.bf16,
                           report_to=[], save_strategy="no", logging_steps=1, eval_strategy="epoch", **read("sft_config.json"))
        trainer = SFTTrainer(model=model, args=config, train_dataset=data["train"], eval_dataset=data["holdout"],
                             processing_class=tokenizer, peft_config=LoraConfig(**read("lora_config.json")))
        start = time.time()
        trainer.train()
        seconds = time.time() - start
        trainer.save_model(args.out)
        shutil.rmtree(os.path.join(args.out, "checkpoints"), ignore_errors=True)
        if trainer.is_world_process_zero():
            device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
            manifest["training_seconds"] = seconds
            manifest["trained_with"] = (f"TRL {trl.__version__} SFTTrainer, transformers {transformers.__version__}, "
                                        f"PEFT {peft.__version__}, torch {torch.__version__}, {device}")
            with open(os.path.join(args.out, "quill-export.json"), "w") as f:
                json.dump(manifest, f, indent=2, sort_keys=True)
            with open(os.path.join(args.out, "trainer_log.json"), "w") as f:
                json.dump(trainer.state.log_history, f, indent=1)
            print(json.dumps({"adapter": args.out, "training_seconds": round(seconds, 1), "steps": trainer.state.global_step}))

        """#

    static let deepSpeedZero3 = #"""
        {
          "bf16": {"enabled": "auto"},
          "fp16": {"enabled": "auto"},
          "zero_optimization": {
            "stage": 3,
            "overlap_comm": true,
            "contiguous_gradients": true,
            "reduce_bucket_size": "auto",
            "stage3_prefetch_bucket_size": "auto",
            "stage3_param_persistence_threshold": "auto",
            "stage3_gather_16bit_weights_on_model_save": true
          },
          "gradient_accumulation_steps": "auto",
          "gradient_clipping": "auto",
          "train_batch_size": "auto",
          "train_micro_batch_size_per_gpu": "auto"
        }

        """#

    static func readme(manifest: ExportManifest, examples: Int, heldOut: Int) -> String {
        """
        # Quill training export \(manifest.id)

        Written by `quill retrain --export` on \(manifest.created): the training set `quill retrain` would train on,
        for a machine with GPUs. Base model: `\(manifest.baseModel)` (a GGUF base: make a Hugging Face folder with
        `quill lm convert`).

        | file | what |
        |---|---|
        | train.jsonl | \(examples) examples ({"prompt", "completion"}; `datasets.load_dataset("json", ...)` loads it) |
        | holdout.jsonl | \(heldOut) held-out corrections: evaluation only, never training. The gate judges on them |
        | lora_config.json | PEFT `LoraConfig` arguments |
        | sft_config.json | TRL `SFTConfig` arguments (the optimisation `quill retrain` would use) |
        | ds_zero3.json | DeepSpeed ZeRO-3 for several GPUs |
        | train_sft.py | the TRL `SFTTrainer` script (its first lines say how to run it) |
        | quill-export.json | the reviews used and the files' SHA-256, so the adapter comes back naming them |

        The records hold clinical text: keep the folder where the hospital's policy keeps patient data.

        Back in Quill: `quill adapter import OUT` (OUT is the script's `--out`, `adapter/` here by default) judges the
        adapter on the held-out corrections, exactly as a candidate trained by `quill retrain`, and promotes it only
        if it passes.

        """
    }
}
