"""Business transfer (S4): the data set passed to a new controller, its people told first."""
