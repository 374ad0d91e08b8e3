"""Chart tags (server-side SVG, performance/charts.py):

    {% load score_charts %}
    {% score_chart employee %}                 the last 12 months (data-testid="score-chart")
    {% score_chart employee end=month %}       12 months ending with `month` (a date)
    {% department_chart department month %}    the month's ranked bars (data-testid="department-chart")

Each tag costs two queries whatever the page around it. Whoever includes them decides who may
see the figures: the tags check nothing."""

from django import template

from performance.charts import department_chart as _department_chart
from performance.charts import score_chart as _score_chart

register = template.Library()


@register.inclusion_tag("workflows/_chart_score.html")
def score_chart(employee, end=None, months=12):
    return {"chart": _score_chart(employee, end=end, months=months) if employee else None}


@register.inclusion_tag("workflows/_chart_department.html")
def department_chart(department, month):
    return {"chart": _department_chart(department, month)}
