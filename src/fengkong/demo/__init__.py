"""The synthetic demo company: a Chongqing manufacturer's customers and receivables as ERP exports.

Pure Python (numpy + polars), no Django. Entry point: `fengkong.demo.generator.generate`.
"""
