"""placeholder while wiring"""


def classify(analyzer, index, stmt):
    return False


def session_statement(analyzer, top, stmt):
    return None


def after_session(analyzer, index, stmt):
    return False
