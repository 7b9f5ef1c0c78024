"""Terminal: rich renderables for the command line (summary, sweep and hedging views, the live
stage display). Only cli.py imports this package."""
