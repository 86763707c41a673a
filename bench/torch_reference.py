"""Reference timings for `peerlearn bench`: the same gradient updates written in PyTorch, on one thread.

Never a runtime dependency of peerlearn: the benchmark runs this script only when python3 with torch is present
(Debian: apt-get install python3-torch; install libopenblas0 too, or torch falls back to the slow reference BLAS).
It prints one JSON object: {"torch": version, "dqnUpdateMs", "sacUpdateMs", "gemmGflops", "spread"}, each figure
the median of five timed runs, "spread" their range.

The updates follow Stable-Baselines3 1.5's train() step by step, minus replay sampling (the batch is fixed), so
they measure the same arithmetic as peerlearn's DqnNetworks.trainStep and SacNetworks.trainStep.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


REPETITIONS = 5  # as peerlearn's own figures: the median of five timed runs after a warm-up, with their range


def timeit(fn, seconds):
    """Milliseconds per call: (median, lowest, highest) of REPETITIONS runs of seconds / REPETITIONS each."""
    for _ in range(20):
        fn()
    per_call = []
    for _ in range(REPETITIONS):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / REPETITIONS:
            fn()
            n += 1
        per_call.append((time.perf_counter() - start) / n * 1e3)
    per_call.sort()
    return per_call[REPETITIONS // 2], per_call[0], per_call[-1]


def dqn_update_ms(seconds):
    obs, acts, b = 4, 4, 256
    q, qt = mlp([obs, 256, 256, acts]), mlp([obs, 256, 256, acts])
    qt.load_state_dict(q.state_dict())
    opt = torch.optim.Adam(q.parameters(), lr=5e-4)
    s, s2 = torch.randn(b, obs), torch.randn(b, obs)
    a = torch.randint(0, acts, (b, 1))
    r, d = torch.randn(b, 1), torch.zeros(b, 1)

    def step():
        with torch.no_grad():
            nq = qt(s2).max(dim=1)[0].reshape(-1, 1)
            y = r + (1 - d) * 0.99 * nq
        cur = torch.gather(q(s), dim=1, index=a)
        loss = F.smooth_l1_loss(cur, y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(q.parameters(), 10)
        opt.step()

    return timeit(step, seconds)


def sac_update_ms(seconds):
    obs, act, b, h = 17, 6, 256, [256, 256]
    latent = mlp([obs] + h)
    latent = nn.Sequential(*list(latent), nn.ReLU())
    mu, log_std = nn.Linear(h[-1], act), nn.Linear(h[-1], act)
    critics = nn.ModuleList([mlp([obs + act] + h + [1]) for _ in range(2)])
    targets = nn.ModuleList([mlp([obs + act] + h + [1]) for _ in range(2)])
    targets.load_state_dict(critics.state_dict())
    actor_params = list(latent.parameters()) + list(mu.parameters()) + list(log_std.parameters())
    actor_opt = torch.optim.Adam(actor_params, lr=3e-4)
    critic_opt = torch.optim.Adam(critics.parameters(), lr=3e-4)
    log_alpha = torch.zeros(1, requires_grad=True)
    alpha_opt = torch.optim.Adam([log_alpha], lr=3e-4)
    s, s2 = torch.randn(b, obs), torch.randn(b, obs)
    a_buf = torch.rand(b, act) * 2 - 1
    r, d = torch.randn(b, 1), torch.zeros(b, 1)

    def sample(x):
        z = latent(x)
        m, ls = mu(z), torch.clamp(log_std(z), -20, 2)
        std = ls.exp()
        u = m + std * torch.randn_like(m)
        a = torch.tanh(u)
        logp = torch.distributions.Normal(m, std).log_prob(u).sum(dim=1)
        logp -= torch.sum(torch.log(1 - a ** 2 + 1e-6), dim=1)
        return a, logp.reshape(-1, 1)

    def step():
        a_pi, logp = sample(s)
        alpha = torch.exp(log_alpha.detach())
        ent_loss = -(log_alpha * (logp + -act).detach()).mean()
        alpha_opt.zero_grad()
        ent_loss.backward()
        alpha_opt.step()
        with torch.no_grad():
            a2, logp2 = sample(s2)
            sa2 = torch.cat([s2, a2], dim=1)
            q2 = torch.min(torch.cat([t(sa2) for t in targets], dim=1), dim=1, keepdim=True)[0]
            y = r + (1 - d) * 0.99 * (q2 - alpha * logp2)
        sa = torch.cat([s, a_buf], dim=1)
        critic_loss = 0.5 * sum(F.mse_loss(c(sa), y) for c in critics)
        critic_opt.zero_grad()
        critic_loss.backward()
        critic_opt.step()
        sapi = torch.cat([s, a_pi], dim=1)
        qpi = torch.min(torch.cat([c(sapi) for c in critics], dim=1), dim=1, keepdim=True)[0]
        actor_loss = (alpha * logp - qpi).mean()
        actor_opt.zero_grad()
        actor_loss.backward()
        actor_opt.step()
        with torch.no_grad():
            for p, tp in zip(critics.parameters(), targets.parameters()):
                tp.data.mul_(1 - 0.005)
                torch.add(tp.data, p.data, alpha=0.005, out=tp.data)

    return timeit(step, seconds)


def gemm_gflops(ms):
    return 2 * 256 ** 3 / (ms * 1e-3) / 1e9


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    x, y = torch.randn(256, 256), torch.randn(256, 256)
    gemm = timeit(lambda: x @ y, seconds)
    dqn = dqn_update_ms(seconds)
    sac = sac_update_ms(seconds)
    print(json.dumps({
        "torch": torch.__version__,
        "gemmGflops": gemm_gflops(gemm[0]),
        "dqnUpdateMs": dqn[0],
        "sacUpdateMs": sac[0],
        # The range of each figure over its repetitions (GEMM in GFLOP/s: the fastest run is the highest).
        "spread": {
            "gemm": {"low": gemm_gflops(gemm[2]), "high": gemm_gflops(gemm[1])},
            "dqnUpdate": {"low": dqn[1], "high": dqn[2]},
            "sacUpdate": {"low": sac[1], "high": sac[2]},
        },
    }))
