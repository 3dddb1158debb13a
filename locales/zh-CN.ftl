# 中文（简体）消息目录：每一条给人读的文字都在这里，与 en.ftl 一一对应（键相同，参数相同）。
# 键与参数名是机器代码，不翻译；{ $name } 是参数。修改时请同时修改 en.ftl。

## 问题详情（RFC 9457）的标题，按 HTTP 状态码

problem-400 = 请求有误
problem-401 = 未认证
problem-403 = 无权操作
problem-404 = 未找到
problem-405 = 方法不允许
problem-408 = 请求超时
problem-409 = 冲突
problem-410 = 已不再提供
problem-413 = 请求体过大
problem-415 = 不支持的媒体类型
problem-422 = 无法处理的请求
problem-429 = 请求过多
problem-431 = 请求头过大
problem-500 = 服务器内部错误
problem-503 = 服务暂不可用
problem-507 = 存储空间不足
problem-other = 错误

## 通用的问题说明

problem-validation = 请求未通过校验
problem-internal = 服务器内部发生错误，已记录日志
problem-method-not-allowed = 此资源不支持该请求方法
problem-timeout = 请求耗时过长，已被放弃
problem-body-too-large = 请求体超过 1 MiB 的上限
problem-no-such-resource = 资源不存在
problem-no-such-route = 没有这个路由
problem-head-too-large = 一个请求最多可带 { $headers } 个请求头，合计不超过 { $kib } KiB
problem-db-unavailable = 数据库暂不可用，请稍后重试
problem-db-full = 数据库已无剩余空间，本次请求未写入任何内容
