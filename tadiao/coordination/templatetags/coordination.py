"""The small block a project page includes: the leaders' instructions (批示) on the project, the form a leader
writes one with, and the link to raise a problem. The project view stays untouched: the tag reads them."""

from django import template

from tadiao.coordination import queries

register = template.Library()


@register.inclusion_tag("coordination/partials/project_instructions.html", takes_context=True)
def project_instructions(context, project):
    user = context["request"].user
    return {
        "project": project,
        "instructions": list(queries.instructions_for_project(project)),
        "may_instruct": user.is_leader,
        "may_raise": queries.may_raise_problem(user, project),
        "csrf_token": context.get("csrf_token"),
    }
