// llama.cpp's logits for a given token sequence, as the reference Quill's GGUF path is measured against.
//
//   dump_logits [--lora ADAPTER.gguf] [--greedy N] MODEL.gguf OUT.f32 ID ID ID ...
//
// With --greedy N, after the ids it decodes N more tokens one at a time, each the argmax of the last logits
// (ties to the lower id), and prints them with the margin of each step (top-1 minus top-2 logit) as JSON;
// OUT.f32 then holds the logits of every step of that continuation instead, [N][n_vocab].
//
// With --lora, llama.cpp's own LoRA adapter file is applied at scale 1 (its alpha / rank as the file says).
// Evaluates the ids as one batch from position 0 (no BOS is added: the ids are used exactly as given),
// asks for the logits of every position, and writes them to OUT.f32 as little-endian float32,
// row-major [n_tokens][n_vocab]. One line of JSON on stdout says the shape. Single thread, so the
// numbers do not depend on how work is split between threads; F32 KV cache, no flash attention.
#include "llama.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

static void quiet_log(enum ggml_log_level level, const char *text, void *) {
    if (level >= GGML_LOG_LEVEL_WARN) fputs(text, stderr);
}

int main(int argc, char **argv) {
    const char *lora_path = nullptr;
    int greedy = 0;
    while (argc > 2 && (strcmp(argv[1], "--lora") == 0 || strcmp(argv[1], "--greedy") == 0)) {
        if (strcmp(argv[1], "--lora") == 0) lora_path = argv[2];
        else greedy = atoi(argv[2]);
        argv[2] = argv[0];
        argv += 2;
        argc -= 2;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: %s [--lora ADAPTER.gguf] MODEL.gguf OUT.f32 ID [ID ...]\n", argv[0]);
        return 2;
    }
    llama_log_set(quiet_log, nullptr);
    llama_backend_init();

    std::vector<llama_token> ids;
    for (int i = 3; i < argc; i++) {
        char *end = nullptr;
        long v = strtol(argv[i], &end, 10);
        if (*end != '\0' || v < 0 || v > 0x7fffffff) { fprintf(stderr, "bad token id: %s\n", argv[i]); return 2; }
        ids.push_back((llama_token)v);
    }

    llama_model_params mp = llama_model_default_params();
    llama_model *model = llama_model_load_from_file(argv[1], mp);
    if (!model) { fprintf(stderr, "cannot load %s\n", argv[1]); return 1; }
    const llama_vocab *vocab = llama_model_get_vocab(model);
    const int n_vocab = llama_vocab_n_tokens(vocab);
    for (llama_token t : ids) if (t >= n_vocab) { fprintf(stderr, "token id %d >= vocabulary %d\n", t, n_vocab); return 2; }

    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = ids.size() + greedy < 64 ? 64 : (uint32_t)(ids.size() + greedy);
    cp.n_batch = cp.n_ctx;
    cp.n_ubatch = cp.n_ctx;
    cp.n_threads = 1;
    cp.n_threads_batch = 1;
    // An F32 cache and plain attention: the default F16 cache would round K and V, noise that is llama.cpp's
    // choice of cache rather than the file's, and not something Quill's logits should have to match.
    cp.type_k = GGML_TYPE_F32;
    cp.type_v = GGML_TYPE_F32;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    llama_context *ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "cannot create a context\n"); return 1; }
    llama_adapter_lora *lora = nullptr;
    if (lora_path) {
        lora = llama_adapter_lora_init(model, lora_path);
        if (!lora) { fprintf(stderr, "cannot load the adapter %s\n", lora_path); return 1; }
        float scale = 1.0f;
        if (llama_set_adapters_lora(ctx, &lora, 1, &scale) != 0) { fprintf(stderr, "cannot apply the adapter %s\n", lora_path); return 1; }
    }

    llama_batch batch = llama_batch_init((int32_t)ids.size(), 0, 1);
    for (size_t i = 0; i < ids.size(); i++) {
        batch.token[i] = ids[i];
        batch.pos[i] = (llama_pos)i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;  // every position, not just the last
    }
    batch.n_tokens = (int32_t)ids.size();
    if (llama_decode(ctx, batch) != 0) { fprintf(stderr, "llama_decode failed\n"); return 1; }

    FILE *out = fopen(argv[2], "wb");
    if (!out) { fprintf(stderr, "cannot write %s\n", argv[2]); return 1; }
    if (greedy > 0) {
        // Greedy continuation: the argmax of the last position, fed back one token at a time.
        const float *row = llama_get_logits_ith(ctx, (int32_t)ids.size() - 1);
        printf("{\"model\": \"%s\", \"greedy\": [", argv[1]);
        for (int step = 0; step < greedy; step++) {
            int best = 0, second = -1;
            for (int v = 1; v < n_vocab; v++) {
                if (row[v] > row[best]) { second = best; best = v; }
                else if (second < 0 || row[v] > row[second]) second = v;
            }
            if (fwrite(row, sizeof(float), n_vocab, out) != (size_t)n_vocab) { fprintf(stderr, "write failed\n"); return 1; }
            printf("%s[%d, %.6f]", step ? ", " : "", best, row[best] - row[second]);
            llama_batch one = llama_batch_init(1, 0, 1);
            one.token[0] = best; one.pos[0] = (llama_pos)(ids.size() + step);
            one.n_seq_id[0] = 1; one.seq_id[0][0] = 0; one.logits[0] = 1; one.n_tokens = 1;
            if (llama_decode(ctx, one) != 0) { fprintf(stderr, "llama_decode failed\n"); return 1; }
            llama_batch_free(one);
            row = llama_get_logits_ith(ctx, 0);
        }
        printf("]}\n");
        fclose(out);
        llama_batch_free(batch);
        llama_free(ctx);
        llama_model_free(model);
        llama_backend_free();
        return 0;
    }
    for (size_t i = 0; i < ids.size(); i++) {
        const float *row = llama_get_logits_ith(ctx, (int32_t)i);
        if (!row || fwrite(row, sizeof(float), n_vocab, out) != (size_t)n_vocab) { fprintf(stderr, "write failed\n"); return 1; }
    }
    fclose(out);
    printf("{\"model\": \"%s\", \"n_tokens\": %zu, \"n_vocab\": %d}\n", argv[1], ids.size(), n_vocab);

    llama_batch_free(batch);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
