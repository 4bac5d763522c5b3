"""`evaluate`: a panel's raw scores in, the legal result and its diagnostics out (plain JSON data).

The legal part (subjective, price_score, total, rank, passed, candidates) follows the rules in
docs/scoring.md exactly, in decimal arithmetic. Everything else (anomalies, expert signals,
agreement, stability, the normalised view) is advice for the panel and the auditor, computed with
floats where that is harmless, and never changes the legal part.
"""

from __future__ import annotations

import math
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from .aggregate import LegalResult, legal_result
from .agreement import concordance, icc_absolute
from .anomalies import Anomalies, anomaly_records, find_anomalies
from .model import CONSULTATION, Panel
from .numbers import plain, quantize, quantize_ratio, units_to_text
from .price import abnormal_low_prices
from .ranking import Ranking, quote_ranks, rank_bids
from .signals import AGAINST_PANEL_MIN_BIDS, ExpertSignals, expert_ranks, expert_signals, expert_zscores
from .stability import stability
from .validate import parse_input


def _stat(value: float | None) -> float | None:
    """A statistic for JSON: six decimals are far beyond its precision; NaN becomes null."""
    if value is None or not math.isfinite(value):
        return None
    return float(np.round(value, 6)) + 0.0  # + 0.0 turns -0.0 into 0.0


def evaluate(data: Any) -> dict[str, Any]:
    """Evaluate one panel. `data` is the command line's JSON object (or a dataclass with its fields).

    Raises `scoring.ScoringError` listing every input problem; otherwise returns the output object.
    """
    if is_dataclass(data) and not isinstance(data, type):
        data = asdict(data)
    panel = parse_input(data)
    return _Evaluation(panel).output()


class _Evaluation:
    def __init__(self, panel: Panel):
        self.panel = panel
        self.config = panel.config
        self.places = panel.config.decimals
        self.warnings = list(panel.warnings)
        self.legal: LegalResult = legal_result(panel)
        valid = panel.valid_bids
        quotes = [b.final_quote for b in valid] if self.config.has_price else None
        self.quote_rank = quote_ranks(quotes) if quotes is not None else None  # type: ignore[arg-type]
        self.ranking: Ranking = rank_bids(
            self.legal.total_units.tolist(),
            quotes,
            self.legal.technical.numerator[0].tolist(),  # type: ignore[arg-type]
        )
        self.winner = self._winner()
        price = (
            np.array([float(p.exact) for p in self.legal.price], dtype=np.float64)
            if self.legal.price is not None
            else np.zeros(len(valid))
        )
        self.implied = self.legal.sums.astype(np.float64) / panel.unit + price[None, :]

    def _winner(self) -> int | None:
        order, ranks = self.ranking.order, self.ranking.ranks
        if not order or (len(order) > 1 and ranks[order[1]] == 1):
            return None
        return order[0]

    def output(self) -> dict[str, Any]:
        panel = self.panel
        rng = np.random.default_rng(self.config.seed)
        anomalies = find_anomalies(panel, self.legal.sums)
        low_price, thresholds = (
            abnormal_low_prices(panel.valid_bids, self.config) if self.config.has_price else ([], {})
        )
        passed = self._passed()
        bids = self._bid_records(anomalies, low_price, passed)
        candidates = self._candidates(passed)
        subjective = np.array([not c.objective for c in panel.criteria], dtype=bool)
        signals = expert_signals(
            self.legal.sums, panel.scores[:, :, subjective], panel.unit, panel.step_units[subjective]
        )
        agreement = self._agreement(rng)
        stable = stability(panel, self.legal, self.quote_rank, self.winner, self.implied, rng)
        experts = self._expert_records(anomalies, signals)
        self._warn(anomalies, low_price, experts)
        valid_ids = [b.id for b in panel.valid_bids]
        return {
            "method": self.config.method,
            "bids": bids,
            "candidates": candidates,
            "anomalies": anomaly_records(panel, anomalies),
            "experts": experts,
            "agreement": agreement,
            "stability": {
                "p_rank1": {str(valid_ids[v]): _stat(p) for v, p in enumerate(stable.p_rank1)},
                "pivotal_experts": [panel.experts[e] for e in stable.pivotal],
                "robust": stable.robust,
                "winner": valid_ids[self.winner] if self.winner is not None else None,
                "leave_one_out": {
                    panel.experts[e]: [valid_ids[v] for v in winners] for e, winners in enumerate(stable.leave_one_out)
                },
                "alternative_winners": {
                    name: [valid_ids[v] for v in winners] for name, winners in stable.alternatives.items()
                },
                "bootstrap": {"method": stable.bootstrap_method, "resamples": stable.resamples},
            },
            "warnings": self.warnings,
            "meta": self._meta(thresholds),
        }

    def _passed(self) -> list[bool | None]:
        if self.config.method == CONSULTATION:
            return [None] * len(self.panel.valid_bids)
        assert self.config.pass_score is not None
        pass_units = self.config.pass_score.scaleb(self.places)
        return [
            bool(total >= pass_units and not vetoed)
            for total, vetoed in zip(self.legal.total_units.tolist(), self.legal.vetoed.tolist(), strict=True)
        ]

    def _bid_records(
        self, anomalies: Anomalies, low_price: list[tuple[str, ...]], passed: list[bool | None]
    ) -> list[dict[str, Any]]:
        panel, legal, places = self.panel, self.legal, self.places
        anomalous = set(anomalies.bid.tolist())
        tied = {v for group in self.ranking.ties for v in group}
        zscores = expert_zscores(self.implied).mean(axis=0) if len(panel.experts) else None
        mean_rank = expert_ranks(self.implied).mean(axis=0)
        records = []
        for v in self.ranking.order:
            bid = panel.valid_bids[v]
            flags = []
            if low_price and low_price[v]:
                flags.append("abnormal_low_price")
            if (
                self.config.has_price
                and self.config.max_price is not None
                and bid.final_quote is not None
                and bid.final_quote > self.config.max_price
            ):
                flags.append("quote_above_max_price")
            if v in tied:
                flags.append("tie_unresolved")
            if legal.vetoed[v]:
                flags.append("veto_failed")
            if passed[v] is False and not legal.vetoed[v]:
                flags.append("below_pass_score")
            if v in anomalous:
                flags.append("score_anomaly")
            records.append(
                {
                    "id": bid.id,
                    "name": bid.name,
                    "valid": True,
                    "final_quote": plain(bid.final_quote) if bid.final_quote is not None else None,
                    "subjective": units_to_text(int(legal.subjective_units[v]), places),
                    "price_score": (
                        units_to_text(int(legal.price_units[v]), places) if legal.price is not None else None
                    ),
                    "total": units_to_text(int(legal.total_units[v]), places),
                    "technical": self._technical_text(v),
                    "rank": self.ranking.ranks[v],
                    "passed": passed[v],
                    "flags": flags,
                    "abnormal_low_price_triggers": list(low_price[v]) if low_price else [],
                    "z_score_mean": _stat(float(zscores[v])) if zscores is not None else None,
                    "mean_rank": _stat(float(mean_rank[v])),
                }
            )
        for bid in panel.bids:
            if not bid.valid:
                records.append(
                    {
                        "id": bid.id,
                        "name": bid.name,
                        "valid": False,
                        "final_quote": plain(bid.final_quote) if bid.final_quote is not None else None,
                        "subjective": None,
                        "price_score": None,
                        "total": None,
                        "technical": None,
                        "rank": None,
                        "passed": False if self.config.method != CONSULTATION else None,
                        "flags": [],
                        "abnormal_low_price_triggers": [],
                        "z_score_mean": None,
                        "mean_rank": None,
                    }
                )
        return records

    def _technical_text(self, v: int) -> str | None:
        if not any(c.technical for c in self.panel.criteria):
            return None
        tech = self.legal.technical
        return str(quantize_ratio(int(tech.numerator[0, v]), tech.denominator, self.places))

    def _candidates(self, passed: list[bool | None]) -> list[Any]:
        valid = self.panel.valid_bids
        ranks = self.ranking.ranks
        if self.config.method != CONSULTATION:
            return [valid[v].id for v in self.ranking.order if passed[v]]
        cutoff = min(self.config.candidates, len(valid))
        chosen = [v for v in self.ranking.order if ranks[v] <= cutoff]
        if len(chosen) > cutoff:
            ids = "、".join(str(valid[v].id) for v in chosen if ranks[v] == ranks[chosen[-1]])
            self.warnings.append(
                f"第 {ranks[chosen[-1]]} 名并列（{ids}），并列者均列为候选人，由磋商小组决定并记录 / "
                f"bids {ids} are tied at rank {ranks[chosen[-1]]}: all are listed as candidates; "
                "the panel decides and records the order"
            )
        return [valid[v].id for v in chosen]

    def _agreement(self, rng: np.random.Generator) -> dict[str, Any]:
        totals = self.legal.sums.astype(np.float64) / self.panel.unit
        result = concordance(totals, self.config.permutation_draws, rng)
        icc_single, icc_average = icc_absolute(totals.T)
        if result.w is None:
            self.warnings.append(
                "一致性系数无法计算（需要至少 2 名专家、2 个有效投标且排序不全相同并列） / "
                "Kendall's W is undefined (needs 2+ experts, 2+ valid bids, and not every ranking all tied)"
            )
        return {
            "kendall_w": _stat(result.w),
            "p_value": _stat(result.p_value),
            "p_value_method": result.p_method,
            "permutation_draws": result.draws,
            "icc_a1": _stat(icc_single),
            "icc_ak": _stat(icc_average),
        }

    def _expert_records(self, anomalies: Anomalies, signals: ExpertSignals) -> list[dict[str, Any]]:
        per_expert = np.bincount(anomalies.expert, minlength=len(self.panel.experts)).tolist()
        many_bids = len(self.panel.valid_bids) >= AGAINST_PANEL_MIN_BIDS
        records = []
        for e, expert in enumerate(self.panel.experts):
            rho = _stat(float(signals.spearman[e]))
            flags = []
            if many_bids and rho is not None and rho <= 0:
                flags.append("ranks_against_panel")
            if signals.outlier_cells[e]:
                flags.append("outlier_cells")
            if per_expert[e]:
                flags.append("score_anomaly")
            records.append(
                {
                    "id": expert,
                    "leniency": _stat(float(signals.leniency[e])),
                    "spearman_with_others": rho,
                    "flags": flags,
                    "anomalies": per_expert[e],
                    "outlier_cells": int(signals.outlier_cells[e]),
                    "max_abs_modified_z": _stat(float(signals.max_abs_z[e])),
                }
            )
        return records

    def _warn(self, anomalies: list[Any], low_price: list[tuple[str, ...]], experts: list[dict[str, Any]]) -> None:
        valid = self.panel.valid_bids
        for group in self.ranking.ties:
            ids = "、".join(str(valid[v].id) for v in group)
            rank = self.ranking.ranks[group[0]]
            self.warnings.append(
                f"投标 {ids} 总分、报价与技术得分均相同，并列第 {rank} 名，须由评审小组决定并记入评审报告 / "
                f"bids {ids} are tied at rank {rank} after every tie-break (total, final quote, "
                "technical subtotal): the panel decides and records it"
            )
        if self.ranking.ties and not any(c.technical for c in self.panel.criteria):
            self.warnings.append(
                "没有 group 为 technical 的评分项，技术指标无法用于打破并列 / "
                'no criterion has group "technical", so the technical tie-break could not separate the tie'
            )
        for v, fired in enumerate(low_price):
            if fired:
                self.warnings.append(
                    f"投标 {valid[v].id} 报价触发异常低价情形（{'、'.join(fired)}），"
                    "应给予不少于 30 分钟书面说明（财库〔2026〕2号） / "
                    f"bid {valid[v].id} triggers abnormal-low-price checks ({', '.join(fired)}): "
                    "the supplier must be given time (generally ≥30 min) to explain in writing"
                )
        if anomalies:
            self.warnings.append(
                f"{len(anomalies)} 项评分偏离其他专家均值超过阈值，"
                "请提示评审小组复核（财库〔2014〕214号第32条） / "
                f"{len(anomalies)} scores deviate from the other experts' mean beyond the threshold: "
                "prompt the panel to review them (a change needs the panel's unanimous finding)"
            )
        for record in experts:
            if "ranks_against_panel" in record["flags"]:
                self.warnings.append(
                    f"专家 {record['id']} 的排序与其他专家相反（Spearman ≤ 0） / "
                    f"expert {record['id']} ranks the bids against the rest of the panel (Spearman ≤ 0)"
                )

    def _meta(self, thresholds: dict[str, Decimal]) -> dict[str, Any]:
        config = self.config
        valid = self.panel.valid_bids
        meta: dict[str, Any] = {
            "experts": len(self.panel.experts),
            "valid_bids": len(valid),
            "aggregation": config.aggregation,
            "decimals": config.decimals,
            "seed": config.seed,
            "score_steps": [
                {"criterion": c.id, "step": plain(Decimal(int(step)).scaleb(-self.panel.scale).normalize())}
                for c, step in zip(self.panel.criteria, self.panel.step_units.tolist(), strict=True)
            ],
        }
        if config.has_price:
            benchmark = min(b.final_quote for b in valid if b.final_quote is not None)
            meta["benchmark_price"] = plain(benchmark)
            meta["price_weight"] = plain(config.price_weight)
            meta["abnormal_low_price_thresholds"] = {
                name: str(quantize(amount, 2)) for name, amount in thresholds.items()
            }
        return meta
