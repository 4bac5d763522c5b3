"""Online scoring and results (在线评分与结果): declarations, sheets, anomalies, returns, signatures, publication."""
