"""PyTorch CPU eager reference for tools/bench/src/scale-bench.ts.

The same model shapes, batch, threads and steps as carve's side: random weights, a forward
pass with the loss, a LoRA step (rank 8 on q, k, v, o, the MLP and the head, AdamW on the adapters)
and the paper's sandwich-KD step (the full network on cross-entropy, then three
sub-networks cut from the leading slice of every width and the first layers, each on
0.5 CE + 2 KL(teacher || student) against the detached full-network logits; the four
gradients summed, one AdamW step). Reads one JSON request on stdin and prints one JSON line:
  {"config": {...carve ModelConfig...}, "batch": B, "seq": T, "threads": n, "mode": "forward"|"lora"|"sandwich-kd", "steps": s, "warmup": w, "subnetworks": [...]}
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F


def main():
    req = json.load(sys.stdin)
    torch.set_num_threads(req["threads"])
    torch.manual_seed(0)
    c = req["config"]
    B, T, mode = req["batch"], req["seq"], req["mode"]
    model = Model(c)
    rank = 8
    adapters = model.lora(rank) if mode != "forward" else []
    optimizer = torch.optim.AdamW(adapters, lr=1e-4) if adapters else None
    tokens = torch.randint(0, c["vocabSize"], (B, T + 1))
    x, y = tokens[:, :-1], tokens[:, 1:]
    full = {"embedDim": c["nEmbd"], "headSize": c["headSize"], "layers": [{"index": i, "heads": c["nHead"], "mlpHidden": c["mlpHidden"]} for i in range(c["nLayer"])]}

    def forward():
        with torch.no_grad():
            logits = model(x, full)
            return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))

    def lora_step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(x, full)
        F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).backward()
        optimizer.step()

    def sandwich_step():
        optimizer.zero_grad(set_to_none=True)
        n = 1 + len(req["subnetworks"])
        logits = model(x, full)
        (F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)) / n).backward()
        teacher = F.log_softmax(logits.detach().reshape(-1, logits.shape[-1]), dim=-1)
        del logits
        for s in req["subnetworks"]:
            student = model(x, s).reshape(-1, teacher.shape[-1])
            ce = F.cross_entropy(student, y.reshape(-1))
            kl = F.kl_div(F.log_softmax(student, dim=-1), teacher, log_target=True, reduction="batchmean")
            ((0.5 * ce + 2 * kl) / n).backward()
        optimizer.step()

    run = {"forward": forward, "lora": lora_step, "sandwich-kd": sandwich_step}[mode]
    for _ in range(req["warmup"]):
        run()
    times = []
    for _ in range(req["steps"]):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({
        "torch": torch.__version__,
        "ms": median * 1000,
        "tok_s": B * T / median,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def attention(q, k, v):
    """Causal attention: PyTorch's fused kernel where it has one (2.0+), else eager softmax(q·kᵀ/√d + mask)·v."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    T = q.shape[-2]
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    return torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1) @ v


class Model(torch.nn.Module):
    """carve's families in plain tensors: llama (RMSNorm, rotate-half RoPE, GQA, SwiGLU) and gpt2 (LayerNorm, learned positions, tanh GELU, biases); tied or untied head."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        E, V, hs, H, G, M = c["nEmbd"], c["vocabSize"], c["headSize"], c["nHead"], c["nQueryGroups"], c["mlpHidden"]
        self.llama = c["family"] == "llama"
        p = lambda *shape: torch.nn.Parameter(torch.randn(*shape) * 0.02, requires_grad=False)
        self.wte = p(V, E)
        self.wpe = None if self.llama else p(c["blockSize"], E)
        self.layers = []
        for _ in range(c["nLayer"]):
            layer = {"q": p(H * hs, E), "k": p(G * hs, E), "v": p(G * hs, E), "o": p(E, H * hs), "n1": p(E), "n2": p(E)}
            if self.llama:
                layer.update({"gate": p(M, E), "up": p(M, E), "down": p(E, M)})
            else:
                layer.update({"fc": p(M, E), "proj": p(E, M), "n1b": p(E), "n2b": p(E), "qb": p(H * hs), "kb": p(G * hs), "vb": p(G * hs), "ob": p(E), "fcb": p(M), "projb": p(E)})
            self.layers.append(layer)
        self.nf, self.nfb = p(E), p(E)
        self.head = None if c["tiedEmbeddings"] else p(V, E)
        self.adapters = {}

    def lora(self, rank):
        params = []
        names = ["q", "k", "v", "o"] + (["gate", "up", "down"] if self.llama else ["fc", "proj"])
        for i, layer in enumerate(self.layers):
            for n in names:
                out, inp = layer[n].shape
                a = torch.nn.Parameter(torch.randn(inp, rank) / math.sqrt(inp))
                b = torch.nn.Parameter(torch.zeros(rank, out))
                self.adapters[(i, n)] = (a, b)
                params += [a, b]
        E, V = self.wte.shape[1], self.wte.shape[0]
        self.adapters["head"] = (torch.nn.Parameter(torch.randn(E, rank) / math.sqrt(E)), torch.nn.Parameter(torch.zeros(rank, V)))
        params += list(self.adapters["head"])
        self.scale = 16 / rank
        return params

    def linear(self, x, i, name, w, out, inp, bias=None):
        y = F.linear(x, w[:out, :inp], None if bias is None else bias[:out])
        if (i, name) in self.adapters:
            a, b = self.adapters[(i, name)]
            y = y + (x @ a[:inp]) @ b[:, :out] * self.scale
        return y

    def norm(self, x, w, b, E):
        if self.llama:
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.c["normEps"]) * w[:E]
        return F.layer_norm(x, (E,), w[:E], b[:E], self.c["normEps"])

    def forward(self, tokens, s):
        c, E, hs = self.c, s["embedDim"], s["headSize"]
        B, T = tokens.shape
        x = self.wte[:, :E][tokens]
        if not self.llama:
            x = x + self.wpe[:T, :E]
        if self.llama:
            freqs = 1.0 / (c["ropeTheta"] ** (torch.arange(0, hs, 2).float() / hs))
            angles = torch.outer(torch.arange(T).float(), freqs)
            cos, sin = torch.cat([angles.cos()] * 2, -1), torch.cat([angles.sin()] * 2, -1)
        G0, H0 = c["nQueryGroups"], c["nHead"]
        for choice in s["layers"]:
            i, h, M = choice["index"], choice["heads"], choice["mlpHidden"]
            L = self.layers[i]
            g = h if G0 == H0 else G0
            n = self.norm(x, L["n1"], L.get("n1b"), E)
            q = self.linear(n, i, "q", L["q"], h * hs, E, L.get("qb")).view(B, T, h, hs).transpose(1, 2)
            k = self.linear(n, i, "k", L["k"], g * hs, E, L.get("kb")).view(B, T, g, hs).transpose(1, 2)
            v = self.linear(n, i, "v", L["v"], g * hs, E, L.get("vb")).view(B, T, g, hs).transpose(1, 2)
            if self.llama:
                rot = lambda t: t * cos + torch.cat([-t[..., hs // 2:], t[..., : hs // 2]], -1) * sin
                q, k = rot(q), rot(k)
            if g != h:
                k, v = k.repeat_interleave(h // g, 1), v.repeat_interleave(h // g, 1)
            a = attention(q, k, v).transpose(1, 2).reshape(B, T, h * hs)
            x = x + self.linear(a, i, "o", L["o"], E, h * hs, L.get("ob"))
            n = self.norm(x, L["n2"], L.get("n2b"), E)
            if self.llama:
                m = F.silu(self.linear(n, i, "gate", L["gate"], M, E)) * self.linear(n, i, "up", L["up"], M, E)
                x = x + self.linear(m, i, "down", L["down"], E, M)
            else:
                m = F.gelu(self.linear(n, i, "fc", L["fc"], M, E, L["fcb"]), approximate="tanh")
                x = x + self.linear(m, i, "proj", L["proj"], E, M, L["projb"])
        x = self.norm(x, self.nf, self.nfb, E)
        head = self.wte if self.head is None else self.head
        logits = x @ head[:, :E].T
        if "head" in self.adapters:
            a, b = self.adapters["head"]
            logits = logits + (x @ a[:E]) @ b * self.scale
        return logits


if __name__ == "__main__":
    main()
