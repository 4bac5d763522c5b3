"""价格分 and abnormal-low-price triggers for 竞争性磋商.

价格分 (财库〔2014〕214号 Art. 24, 低价优先法): 磋商基准价 = the lowest 最后报价 among valid bids;
价格分 = 基准价 / 最后报价 × 价格权值 × 100. Computed once, by the library, from the recorded quotes.

Abnormal low price (财库〔2026〕2号), on raw quotes of valid bids, each with a strict "<":
  1. below `mean` ratio (50%, up to 65%) × the mean of all valid quotes;
  2. below `second_lowest` ratio (50%, up to 65%) × the second-lowest valid quote;
  3. below `max_price` ratio (45%, up to 65%) × 最高限价, or × 预算金额 when there is no 最高限价.
A trigger is a flag for the panel, who hear the supplier's explanation; the bid stays valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .model import Bid, Config
from .numbers import exact_divide, exact_product, quantize

TRIGGER_MEAN = "below_mean"
TRIGGER_SECOND_LOWEST = "below_second_lowest"
TRIGGER_MAX_PRICE = "below_max_price"


@dataclass(frozen=True)
class PriceScore:
    exact: Decimal  # unrounded (to 60 significant digits; exact whenever it could sit on a boundary)
    shown: Decimal  # rounded half up to `decimals`


def price_scores(bids: Sequence[Bid], weight: Decimal, places: int) -> list[PriceScore]:
    """Price score of each bid; the quote is divided last so a terminating result is exact."""
    quotes = [b.final_quote for b in bids]
    assert all(q is not None for q in quotes), "valid bids carry a quote (checked on input)"
    benchmark = min(q for q in quotes if q is not None)
    numerator = exact_product(benchmark, weight, Decimal(100))
    scores = []
    for quote in quotes:
        assert quote is not None
        exact = exact_divide(numerator, quote)
        scores.append(PriceScore(exact, quantize(exact, places)))
    return scores


def abnormal_low_prices(bids: Sequence[Bid], config: Config) -> tuple[list[tuple[str, ...]], dict[str, Decimal]]:
    """Triggers fired per bid (in `bids` order) and the threshold amounts, for the report."""
    quotes = [b.final_quote for b in bids if b.final_quote is not None]
    ratios = config.low_price_ratios
    thresholds: dict[str, Decimal] = {}
    if quotes:
        mean = exact_divide(sum(quotes, Decimal(0)), Decimal(len(quotes)))
        thresholds[TRIGGER_MEAN] = exact_product(mean, ratios["mean"])
    if len(quotes) >= 2:
        second = sorted(quotes)[1]
        thresholds[TRIGGER_SECOND_LOWEST] = exact_product(second, ratios["second_lowest"])
    ceiling = config.max_price if config.max_price is not None else config.budget
    if ceiling is not None:
        thresholds[TRIGGER_MAX_PRICE] = exact_product(ceiling, ratios["max_price"])
    fired = []
    for bid in bids:
        quote = bid.final_quote
        fired.append(tuple(name for name, limit in thresholds.items() if quote is not None and quote < limit))
    return fired, thresholds
