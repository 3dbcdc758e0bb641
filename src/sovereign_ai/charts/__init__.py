"""The house style and the words of the charts: what a notebook's drawing cells call."""
